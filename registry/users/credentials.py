"""Making and checking passwords and API tokens; neither is ever stored as it was given."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with the library's defaults (RFC 9106's second recommended set): slow on purpose, since a
# person's password may be guessable.
_hasher = PasswordHasher()
# A known hash, checked against when the name is unknown, so that a login takes as long either way.
_DUMMY = _hasher.hash("not a password anyone has")


def new_password() -> str:
    """A one-time password a person can type: 12 characters from an alphabet without look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """An API token: 256 random bits."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # SHA-256, not argon2: a token is 256 random bits, beyond guessing, so a slow hash would only slow
    # every API request; the digest still keeps a copy of the table from being a list of live tokens.
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
