"""Logging in to the emulator's login page over plain HTTP, as a script would.

GET the authorize URL, read its form with the stdlib HTML parser, submit it with its default
values (the first submit button, the preselected identity, MFA as the page presets it: on when
the login requires it), follow the redirect and read the code from the page's code element.
Only the stdlib is used, so any program can call :func:`headless_login`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit
from urllib.request import HTTPRedirectHandler, OpenerDirector, Request, build_opener

from globus_emulator.auth.html import CODE_ID, DENIED_ID, ERROR_ID

TIMEOUT_SECONDS = 30.0
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class LoginError(RuntimeError):
    """The login did not end with a code; the text says where it stopped."""


@dataclass
class FormField:
    name: str
    value: str


@dataclass
class SelectField:
    name: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    selected: str | None = None

    @property
    def default(self) -> str:
        if self.selected is not None:
            return self.selected
        return self.options[0][0] if self.options else ""


class LoginPageParser(HTMLParser):
    """Collects the first form's fields and the text of the code and error elements."""

    TEXT_IDS = (CODE_ID, ERROR_ID, DENIED_ID)

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.method = "get"
        self.inputs: list[FormField] = []
        self.selects: list[SelectField] = []
        self.first_button: FormField | None = None
        self.texts: dict[str, str] = {}
        self._in_form = False
        self._forms_seen = 0
        self._select: SelectField | None = None
        self._option: tuple[str, bool] | None = None
        self._option_text = ""
        self._text_id: str | None = None
        self._text_depth = 0
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._text_depth:
            self._text_depth += 1
        elif a.get("id") in self.TEXT_IDS:
            self._text_id, self._text_depth, self._text = a["id"], 1, ""
        if tag == "form" and self._forms_seen == 0:
            self._forms_seen = 1
            self._in_form = True
            self.action = a.get("action", "")
            self.method = a.get("method", "get").lower()
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type", "text") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.inputs.append(FormField(a["name"], a.get("value", "")))
        elif tag in ("button", "input") and a.get("type", "submit") == "submit":
            if self.first_button is None and a.get("name"):
                self.first_button = FormField(a["name"], a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self._select = SelectField(a["name"])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value", ""), "selected" in a)
            self._option_text = ""

    def handle_endtag(self, tag: str) -> None:
        if self._text_depth:
            self._text_depth -= 1
            if self._text_depth == 0 and self._text_id is not None:
                self.texts[self._text_id] = " ".join(self._text.split())
        if tag == "form":
            self._in_form = False
        elif tag == "option" and self._select is not None and self._option is not None:
            value, selected = self._option
            self._select.options.append((value, self._option_text.strip()))
            if selected and self._select.selected is None:
                self._select.selected = value
            self._option = None
        elif tag == "select" and self._select is not None:
            self.selects.append(self._select)
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._text_depth:
            self._text += data
        if self._option is not None:
            self._option_text += data


def parse_page(text: str) -> LoginPageParser:
    parser = LoginPageParser()
    parser.feed(text)
    parser.close()
    return parser


@dataclass
class Answer:
    status: int
    url: str
    location: str | None
    text: str

    def why(self) -> str:
        """The reason a page gives for stopping, or the start of its body."""
        texts = parse_page(self.text).texts
        return texts.get(ERROR_ID) or texts.get(DENIED_ID) or self.text[:300]


class _KeepRedirects(HTTPRedirectHandler):
    """Hands a redirect back to the caller instead of following it."""

    def redirect_request(self, *_: object) -> None:
        return None


_FOLLOWING = build_opener()
_NOT_FOLLOWING = build_opener(_KeepRedirects)


def _fetch(opener: OpenerDirector, url: str, form: dict[str, str] | None = None) -> Answer:
    data = urlencode(form).encode() if form is not None else None
    try:
        with opener.open(Request(url, data=data), timeout=TIMEOUT_SECONDS) as response:
            return Answer(
                response.status,
                response.geturl(),
                response.headers.get("location"),
                response.read().decode("utf-8", "replace"),
            )
    except HTTPError as err:  # any status the opener does not follow, 3xx included
        with err:
            return Answer(
                err.code, url, err.headers.get("location"), err.read().decode("utf-8", "replace")
            )


def _choose(select: SelectField, identity: str | None) -> str:
    """The default option, or the one whose value or label mentions ``identity``."""
    if identity is None:
        return select.default
    for value, label in select.options:
        if identity in (value, label) or identity in label:
            return value
    raise LoginError(f"no identity {identity!r} on the login page")


MFA_FIELD = "mfa"


def headless_login(
    authorize_url: str, *, identity: str | None = None, mfa: bool | None = None
) -> str:
    """Log in through the emulator's login page and return the authorization code.

    ``identity`` picks an identity by id or username; by default the preselected one is used.
    ``mfa`` logs in with or without multi-factor authentication; by default as the page says.
    A redirect to a loopback application (not the emulator's auth-code page) is not
    followed: the code is read from its address.
    """
    page = _fetch(_NOT_FOLLOWING, authorize_url)
    if page.status != 200:
        raise LoginError(f"the authorize page answered {page.status}: {page.why()}")
    form = parse_page(page.text)
    if form.action is None:
        raise LoginError("the authorize page has no form")
    data = {f.name: f.value for f in form.inputs}
    for select in form.selects:
        data[select.name] = _choose(select, identity)
    if mfa is True:
        data[MFA_FIELD] = "true"
    elif mfa is False:
        data.pop(MFA_FIELD, None)
    if form.first_button is not None:
        data[form.first_button.name] = form.first_button.value
    action = urljoin(page.url, form.action)
    answer = _fetch(_NOT_FOLLOWING, action, data)
    if answer.status not in REDIRECT_STATUSES or not answer.location:
        raise LoginError(f"the login form answered {answer.status}: {answer.why()}")
    target = urljoin(action, answer.location)
    query = parse_qs(urlsplit(target).query)
    if "error" in query:
        raise LoginError(f"the login ended with error {query['error'][0]!r}")
    if urlsplit(target).netloc != urlsplit(action).netloc:
        if "code" not in query:
            raise LoginError("the redirect carries no code")
        return query["code"][0]
    code_page = _fetch(_FOLLOWING, target)
    code = parse_page(code_page.text).texts.get(CODE_ID)
    if code_page.status != 200 or not code:
        raise LoginError(f"no auth-code on the page ({code_page.status}): {code_page.why()}")
    return code
