"""The build's speed machinery: helper process, parallel rendering, page reuse."""
