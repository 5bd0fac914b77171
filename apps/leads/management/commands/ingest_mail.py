"""For self-hosters without a mail provider's webhook: feed saved notification e-mails
(.eml files, a folder of them, or an mbox) through the same receiver the webhook uses.

    manage.py ingest_mail ~/linkedin-mails/*.eml
    manage.py ingest_mail --mbox ~/Mail/linkedin.mbox
    manage.py ingest_mail -            # one message on standard input (a mail server's pipe)

Each message goes to the workspace whose private address it was sent to; pass --to with
that address when the saved files no longer show it (e.g. exported from the mailbox that
received LinkedIn's mail directly). Piped from Postfix, the envelope recipient comes from
its ORIGINAL_RECIPIENT variable."""

import mailbox
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.leads.mail_inbound import inbound_process, inbound_receive
from apps.leads.models import InboundMessage


class Command(BaseCommand):
    help = "Read LinkedIn notification e-mails from .eml files or an mbox into their workspace."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help=".eml files or folders of them")
        parser.add_argument("--mbox", action="append", default=[], help="an mbox file")
        parser.add_argument("--to", default="", help="the workspace's private inbound address")

    def handle(self, *args, paths, mbox, to, **options):
        raws = []
        if not to:
            to = os.environ.get("ORIGINAL_RECIPIENT", "")
        for name in paths:
            if name == "-":
                raws.append(("stdin", sys.stdin.buffer.read()))
                continue
            path = Path(name)
            if path.is_dir():
                raws += [(str(p), p.read_bytes()) for p in sorted(path.glob("*.eml"))]
            elif path.is_file():
                raws.append((str(path), path.read_bytes()))
            else:
                raise CommandError(f"No such file or folder: {name}")
        for name in mbox:
            if not Path(name).is_file():
                raise CommandError(f"No such mbox: {name}")
            for number, message in enumerate(mailbox.mbox(name), start=1):
                raws.append((f"{name}#{number}", message.as_bytes()))
        if not raws:
            raise CommandError("Give .eml files, a folder of them, or --mbox FILE.")
        counts: dict[str, int] = {}
        for label, raw in raws:
            row = inbound_receive(raw=raw, recipients=[to] if to else [], provider="ingest_mail")
            if row is None:
                status = "no workspace address"
            elif row.status == InboundMessage.Status.RECEIVED:
                # Read now rather than wait for the worker: the command says what became of it.
                status = inbound_process(message_id=row.pk, workspace_id=row.workspace_id)
            else:
                status = row.status
            counts[status] = counts.get(status, 0) + 1
            self.stdout.write(f"{label}: {status}")
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"{len(raws)} messages: {summary}"))
