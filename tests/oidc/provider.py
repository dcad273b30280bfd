"""The identity provider's side of the tests: django-oauth-toolkit with a claims validator.

DOT is a real OpenID provider (discovery, authorization with PKCE, token endpoint, RS256 ID
tokens, JWKS, userinfo, RP-initiated logout). This validator only decides *what it says* about
a person, as a company's directory would: ``CLAIMS[idp_username]`` holds the claims (username,
groups, amr ...). ``ID_TOKEN_CHANGES`` lets a test make the provider issue a token that is
signed correctly but addressed to another client or already expired.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

CLAIMS: dict[str, dict[str, Any]] = {}
ID_TOKEN_CHANGES: dict[str, Any] = {}


class DirectoryClaimsValidator(OAuth2Validator):
    # Every claim whatever the scope: the directory decides, as Entra ID's groups claim does.
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        return dict(CLAIMS.get(request.user.username, {}))

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        claims.update(ID_TOKEN_CHANGES)  # signed afterwards by DOT with its real key
        return claims, expiration
