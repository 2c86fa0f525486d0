"""The gateway (authentication layer) failure table: one entry per way a request can be refused
before it reaches a netpay endpoint.

Gateway answers carry `{"errCode", "errInfo"}` with a non-200 status, never `errMsg`. Only the
`1000 Timestamp解析失败` (HTTP 412) and `9200` (HTTP 412) answers have been seen from the real
gateway; every other row is our choice, is marked so in the README, and can be overridden from the
configuration file (`gateway_errors:`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from mockums.limits import TOKEN_LIFETIME


@dataclass(frozen=True)
class GatewayError:
    key: str
    status: int
    err_code: str
    err_info: str
    when: str
    evidence: str  # "observed" rows were seen from the real gateway; "ours" rows are our choice

    def body(self) -> dict[str, str]:
        return {"errCode": self.err_code, "errInfo": self.err_info}


_ROWS = (
    GatewayError("missing_authorization", 401, "1001", "缺少Authorization认证头",
                 "no Authorization header, or an empty one (a GET: no authorization parameter)", "ours"),
    GatewayError("unknown_scheme", 401, "1002", "不支持的认证方式",
                 "the scheme is neither OPEN-BODY-SIG nor OPEN-ACCESS-TOKEN (a GET: authorization is not "
                 "OPEN-FORM-PARAM)", "ours"),
    GatewayError("malformed_authorization", 412, "1003", "Authorization解析失败",
                 "the header cannot be read, a key is missing, or (strict mode) it is not in a "
                 "form official material shows; a GET: a parameter is missing, repeated or not URL-decodable",
                 "ours"),
    GatewayError("bad_timestamp", 412, "1000", "Timestamp解析失败",
                 "Timestamp is not 14 digits yyyyMMddHHmmss", "observed (single source)"),
    GatewayError("form_encoding", 412, "1000", "Timestamp解析失败",
                 "a GET's OPEN-FORM-PARAM content is encoded RFC 3986 style (a space as %20) instead of the "
                 "way java.net.URLEncoder encodes it (a space as +)", "observed (single source)"),
    GatewayError("content_timestamp", 412, "1000", "Timestamp解析失败",
                 "strict mode only: an H5 GET's content carries a requestTimestamp the gateway cannot read as "
                 "yyyy-MM-dd HH:mm:ss (lenient mode passes it, flagged)", "observed (single source)"),
    GatewayError("skewed_timestamp", 412, "1004", "Timestamp超出允许范围",
                 "strict mode only: Timestamp is further from Beijing time than the skew window",
                 "ours"),
    GatewayError("unknown_app", 401, "1005", "AppId不存在",
                 "AppId is not one of the configured apps", "ours"),
    GatewayError("bad_signature", 401, "1006", "签名验证失败",
                 "Signature does not match the body, AppId, Timestamp and Nonce", "ours"),
    GatewayError("unknown_token", 401, "1007", "AccessToken无效",
                 "the access token was never issued, was revoked or belongs to another app",
                 "ours"),
    GatewayError("expired_token", 401, "1008", "AccessToken已过期",
                 f"the access token is older than its lifetime ({TOKEN_LIFETIME} s unless configured)", "ours"),
    GatewayError("bad_token_request", 412, "1009", "获取AccessToken请求报文有错",
                 "POST /v1/token/access body is not JSON or lacks appId, timestamp, nonce or "
                 "signature", "ours"),
    GatewayError("bad_token_signature", 401, "1010", "获取AccessToken签名错误",
                 "POST /v1/token/access signature does not match SHA256(appId+timestamp+nonce+appKey)",
                 "ours"),
    GatewayError("body_too_large", 413, "1011", "请求报文过大",
                 "the request body is larger than the configured limit", "ours"),
    GatewayError("not_found", 404, "1012", "服务不存在",
                 "no such path on the gateway", "ours"),
    GatewayError("method_not_allowed", 405, "1013", "请求方法不支持",
                 "a method other than POST on an API path (other than GET on an H5 path)", "ours"),
    GatewayError("store_unavailable", 503, "9999", "系统错误",
                 "mockums cannot reach its store (Redis) while answering a request no product line words: the "
                 "token endpoint, or a line without a system_error situation", "ours"),
    GatewayError("gateway_9200", 412, "9200", "系统繁忙",
                 "only when a scenario asks: the unexplained intermittent 412/9200 seen live "
                 "(errInfo text is ours)", "observed (single source)"),
)

DEFAULT_GATEWAY_ERRORS: Mapping[str, GatewayError] = {row.key: row for row in _ROWS}


def gateway_error_table(overrides: Mapping[str, Mapping[str, object]] | None = None) -> dict[str, GatewayError]:
    """The default table with configuration overrides (`status`, `errCode`, `errInfo`) applied.

    Unknown keys and bad values raise ValueError with a sentence naming them; the caller reports it.
    """
    table = dict(DEFAULT_GATEWAY_ERRORS)
    for key, change in (overrides or {}).items():
        if key not in table:
            raise ValueError(f"gateway_errors.{key}: unknown entry (known: {', '.join(table)})")
        unknown = set(change) - {"status", "errCode", "errInfo"}
        if unknown:
            raise ValueError(
                f"gateway_errors.{key}: unknown fields {sorted(unknown)} (allowed: status, errCode, errInfo)"
            )
        row = table[key]
        status = change.get("status", row.status)
        if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
            raise ValueError(f"gateway_errors.{key}.status: must be an HTTP error status 400..599, got {status!r}")
        table[key] = replace(
            row,
            status=status,
            err_code=str(change.get("errCode", row.err_code)),
            err_info=str(change.get("errInfo", row.err_info)),
            evidence="configured",
        )
    return table
