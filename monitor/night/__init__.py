"""Veille running itself: the night's job (`job`), its schedule (`clock`, `daemon`), who is told what
(`notices`, `mail`), the rota as a calendar (`calendar`), and the operator's checks and backups
(`doctor`, `backup`)."""
