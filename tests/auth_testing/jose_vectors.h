// Published JOSE examples, as known-answer vectors for the JWT verifier and keys for the fuzz
// target: RFC 7515 Appendix A.1 (HS256), A.2 (RS256) and A.3 (ES256), and RFC 8037 Appendix A
// (Ed25519). Only public key material is here (and the A.1 HMAC key, which the RFC prints).
//
// The A.1-A.3 tokens carry {"iss":"joe", "exp":1300819380 (2011-03-22T18:43:00Z),
// "http://example.com/is_root":true} and no "aud"; the RFC 8037 token's payload is the text
// "Example of Ed25519 signing", not JSON.
#ifndef SEALTRAIL_TESTS_AUTH_TESTING_JOSE_VECTORS_H_
#define SEALTRAIL_TESTS_AUTH_TESTING_JOSE_VECTORS_H_

#include <cstdint>
#include <string>

namespace sealtrail::testing {

inline constexpr int64_t kRfc7515Exp = 1300819380;
inline constexpr char kRfc7515Issuer[] = "joe";

// RFC 7515 A.1: HS256.
inline constexpr char kRfc7515HmacKeyJwk[] =
    R"({"kty":"oct","alg":"HS256","kid":"rfc7515-a1",)"
    R"("k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})";
inline constexpr char kRfc7515Hs256Token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

// RFC 7515 A.2: RS256 (2048-bit key).
inline constexpr char kRfc7515RsaKeyJwk[] =
    R"({"kty":"RSA","kid":"rfc7515-a2","e":"AQAB",)"
    R"("n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJ)"
    R"(PMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0)"
    R"(LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uD)"
    R"(Zlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2)"
    R"(PAcDTW9gb54h4FRWyuXpoQ"})";
inline constexpr char kRfc7515Rs256Token[] =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5"
    "jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb"
    "1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QO"
    "YEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

// RFC 7515 A.3: ES256 (P-256).
inline constexpr char kRfc7515EcKeyJwk[] = R"({"kty":"EC","kid":"rfc7515-a3","crv":"P-256",)"
                                           R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                                           R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
inline constexpr char kRfc7515Es256Token[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 8037 A.1 (key) and A.4 (token): EdDSA with Ed25519.
inline constexpr char kRfc8037Ed25519KeyJwk[] =
    R"({"kty":"OKP","kid":"rfc8037-a1","crv":"Ed25519",)"
    R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
inline constexpr char kRfc8037EdDsaToken[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// A JWKS of the four example keys above.
inline std::string RfcExampleJwks() {
  return std::string(R"({"keys":[)") + kRfc7515HmacKeyJwk + "," + kRfc7515RsaKeyJwk + "," +
         kRfc7515EcKeyJwk + "," + kRfc8037Ed25519KeyJwk + "]}";
}

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_AUTH_TESTING_JOSE_VECTORS_H_
