"""The webhook URL: where the portal is, who we are, and the one secret we hold.

`https://<portal>/rest/<user_id>/<token>/`. The token is a secret: only `redacted` forms of the URL
may reach logs, errors, dlt state or the warehouse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_PATH = re.compile(r"^/rest/(?P<user>\d+)/(?P<token>[^/]+)/?$")


class WebhookError(ValueError):
    """A webhook URL that cannot be used; the message never contains the token."""


@dataclass(frozen=True)
class Webhook:
    scheme: str
    host: str  # host[:port]
    user_id: int
    token: str

    @classmethod
    def parse(cls, url: str) -> "Webhook":
        text = (url or "").strip()
        if not text:
            raise WebhookError(
                "no webhook URL: pass --webhook-url or set SOURCES__BITRIX24__WEBHOOK_URL "
                "(https://<portal>/rest/<user_id>/<token>/)"
            )
        parts = urlsplit(text)
        match = _PATH.match(parts.path)
        if parts.scheme not in ("http", "https") or not parts.netloc or not match:
            shown = f"{parts.scheme}://{parts.netloc}/..." if parts.netloc else "<unparseable>"
            raise WebhookError(
                f"webhook URL {shown} is not of the form https://<portal>/rest/<user_id>/<token>/"
            )
        return cls(scheme=parts.scheme, host=parts.netloc, user_id=int(match.group("user")),
                   token=match.group("token"))

    @property
    def base_url(self) -> str:
        """Secret: the URL requests are sent to."""
        return f"{self.scheme}://{self.host}/rest/{self.user_id}/{self.token}/"

    @property
    def redacted(self) -> str:
        return f"{self.scheme}://{self.host}/rest/{self.user_id}/***/"

    @property
    def portal_host(self) -> str:
        """The portal's host name: the default `portal_id` of every row."""
        return self.host.split(":", 1)[0] if not self.host.startswith("[") else self.host

    def scrub(self, text: str) -> str:
        """Removes the token from any text (exception messages carry request URLs)."""
        return text.replace(self.token, "***") if self.token else text
