"""The WhatsApp subscriber service (`socialpub whatsapp serve`): the only place that holds
citizens' phone numbers.

Citizens subscribe by sending "Start" and leave with "Stop" (webhook from Meta); the publishing
engine hands each post over through the broadcast API (`PUT /broadcasts/{key}`), and the
service sends it to every subscriber exactly once through the WhatsApp Business Cloud API.
Numbers live only in the service's SQLite store, outside the repository: never in git, a CI
log or the ledger. Time is passed in (`Clock`), as everywhere in the core.
"""
