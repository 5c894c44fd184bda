"""Pages of the knowledge base: the agents' workspace (list, editor, history, reports,
categories, inserting into replies) and the readers' side (home, article, FAQ)."""
