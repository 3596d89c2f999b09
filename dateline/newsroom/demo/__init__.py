"""Original, invented demo content for a fresh Dateline: see ``dateline demo``.

``stories`` holds the invented world and its events, ``writer`` turns an event
into an article plan, ``photos`` paints abstract stand-in photos, and ``loader``
writes it all to the database.
"""
