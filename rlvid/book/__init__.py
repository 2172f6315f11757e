"""The book: everything that renders a page, built on the library and never imported by it."""
