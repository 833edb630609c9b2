"""Report sections that live in modules of their own (built for the report and, where a section is also a document of its own, for that document)."""
