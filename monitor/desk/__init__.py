"""The triage desk's own logic, apart from Datasette: what each decision does and answers
(`actions`), and what the queue and the review page list (`queues`)."""
