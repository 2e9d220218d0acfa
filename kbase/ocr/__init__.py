"""OCR of scanned pages: Tesseract through PyMuPDF (`engine`), and the queue kept in the catalogue that
runs after an import, page by page, and goes on after a restart (`queue`)."""
