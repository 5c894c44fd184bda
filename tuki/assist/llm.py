"""The optional local language model for reply drafts (settings.ASSIST_LLM_URL): an
OpenAI-compatible chat completions endpoint on the desk's own network (llama.cpp's server,
Ollama, vLLM, LocalAI all answer this shape).

Called only when an agent asks for it on a ticket's page ("Write with the local model"), never
in the background and never when the setting is empty. What leaves the process is `payload`:
the ticket's title and description, the requester's language, and the texts of the extractive
drafts (drafts.py), which come only from tickets and articles the asking agent may see.
Administrators see that payload's shape on the accuracy page, built by this same function.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

CHARS = 4000  # of the model's answer that is kept
DESCRIPTION_CHARS = 4000  # of the ticket's description that is sent
MAX_TOKENS = 600
LANGUAGES = {"en": "English", "ro": "Romanian", "fi": "Finnish"}

SYSTEM = (
    "You help an IT service desk agent answer a ticket. Write a short, polite reply to the "
    "requester in {language}, using only the numbered sources. If the sources do not answer "
    "the ticket, say what the agent should ask the requester instead. Do not invent steps, "
    "names, links or promises. Plain text, no greeting line with a name."
)


class ModelError(Exception):
    """The model could not give a draft; `str()` is the message for the agent."""


def enabled() -> bool:
    return bool(settings.ASSIST_LLM_URL)


def payload(title: str, description: str, sources: list[str], language: str) -> dict[str, Any]:
    """The whole request body, and all that is sent (besides the optional API key header)."""
    numbered = "\n\n".join(f"[{n}] {text}" for n, text in enumerate(sources, start=1))
    return {
        "model": settings.ASSIST_LLM_MODEL,
        "temperature": 0.2,
        "max_tokens": MAX_TOKENS,
        "stream": False,
        "messages": [
            {
                "role": "system",
                "content": SYSTEM.format(language=LANGUAGES.get(language, "English")),
            },
            {
                "role": "user",
                "content": (
                    f"Ticket: {title}\n\n{description[:DESCRIPTION_CHARS]}\n\nSources:\n{numbered}"
                ),
            },
        ],
    }


def _headers() -> dict[str, str]:
    headers = {"Accept": "application/json"}
    if settings.ASSIST_LLM_KEY:
        headers["Authorization"] = f"Bearer {settings.ASSIST_LLM_KEY}"
    return headers


def ask(body: dict[str, Any]) -> str:
    """The model's answer to `body`, or ModelError with a message an agent can act on.

    One attempt, with settings.ASSIST_LLM_TIMEOUT seconds to connect and as many to answer:
    the agent is waiting, and the extractive drafts are there either way.
    """
    url = settings.ASSIST_LLM_URL
    if not url:
        raise ModelError(_("No local language model is set up (TUKI_ASSIST_LLM_URL)."))
    timeout = settings.ASSIST_LLM_TIMEOUT
    try:
        response = requests.post(url, json=body, headers=_headers(), timeout=timeout)
    except requests.Timeout:
        log.warning("assist model at %s: no answer within %s s", url, timeout)
        raise ModelError(
            _("The local language model did not answer within %(seconds)s seconds.")
            % {"seconds": f"{timeout:g}"}
        ) from None
    except requests.RequestException as exc:
        log.warning("assist model at %s: %s", url, exc)
        raise ModelError(_("The local language model could not be reached.")) from None
    if response.status_code != 200:
        log.warning("assist model at %s: HTTP %s", url, response.status_code)
        raise ModelError(
            _("The local language model refused the request (HTTP %(status)s).")
            % {"status": response.status_code}
        )
    try:
        text = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        log.warning("assist model at %s: not a chat completions answer", url)
        raise ModelError(
            _("The local language model's answer was not a chat completion.")
        ) from None
    if not isinstance(text, str) or not text.strip():
        raise ModelError(_("The local language model gave an empty answer."))
    return text.strip()[:CHARS]
