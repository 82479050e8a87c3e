"""Server-rendered pages for people on the floor, in English and Simplified Chinese."""
