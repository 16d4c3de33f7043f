"""One module per page of the studio: plain functions over the library, rendered by templates."""
