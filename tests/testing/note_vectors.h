// Published signed-note vectors, copied byte for byte from their sources:
//   - golang.org/x/mod, sumdb/note/note_test.go (TestSign, TestOpen, TestNewVerifier): the
//     PeterNeumann and EnochRoot keys and signatures.
//   - c2sp.org/signed-note, "Verifier keys" example: example.com/foo (the same vector is used by
//     the spec's other implementations).
// Ed25519 is deterministic (RFC 8032), so signing kGoText with kGoPrivateKey must give kGoNote.
#ifndef SEALTRAIL_TESTS_TESTING_NOTE_VECTORS_H_
#define SEALTRAIL_TESTS_TESTING_NOTE_VECTORS_H_

#include <cstdint>
#include <string_view>

namespace sealtrail::testing {

inline constexpr std::string_view kEmDash = "\xE2\x80\x94";

inline constexpr std::string_view kGoPrivateKey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
inline constexpr std::string_view kGoVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
inline constexpr std::string_view kGoKeyName = "PeterNeumann";
inline constexpr uint32_t kGoKeyId = 0xc74f20a3;
inline constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
inline constexpr std::string_view kGoSignatureBase64 =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
inline constexpr std::string_view kGoSignatureLine =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
inline constexpr std::string_view kGoNote =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

// A second key of the Go tests, and its signature over kGoText.
inline constexpr std::string_view kEnochVerifierKey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
inline constexpr std::string_view kEnochSignatureLine =
    "\xE2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

inline constexpr std::string_view kC2spVerifierKey =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
inline constexpr uint32_t kC2spKeyId = 0x530d903a;
inline constexpr std::string_view kC2spText = "This is an example message.\n";
inline constexpr std::string_view kC2spNote =
    "This is an example message.\n"
    "\n"
    "\xE2\x80\x94 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
    "\n";
// The raw public key of kC2spVerifierKey, hex (as the spec's implementations list it).
inline constexpr std::string_view kC2spPublicKeyHex =
    "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4";

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_NOTE_VECTORS_H_
