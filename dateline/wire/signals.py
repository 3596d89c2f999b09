"""Side effects of saving articles: the quote check runs on every save."""
