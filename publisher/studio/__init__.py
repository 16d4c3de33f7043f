"""The newsroom studio: a web page over the project's files and ledger (`publisher studio`)."""
