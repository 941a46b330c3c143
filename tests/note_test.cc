// Signed notes (note.h) and the signer (note_signer.h): the published vectors of Go's
// golang.org/x/mod/sumdb/note and of c2sp.org/signed-note, vectors built by hand with OpenSSL
// straight from the specification, every rejection the specification asks for, and private key
// files.
#include "sealtrail/note.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/env.h"
#include "sealtrail/note_signer.h"
#include "testing/file_util.h"
#include "testing/note_vectors.h"
#include "testing/openssl_reference.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::FileModeOf;
using ::sealtrail::testing::HasSubstrIgnoringCase;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::kC2spKeyId;
using ::sealtrail::testing::kC2spNote;
using ::sealtrail::testing::kC2spPublicKeyHex;
using ::sealtrail::testing::kC2spText;
using ::sealtrail::testing::kC2spVerifierKey;
using ::sealtrail::testing::kEmDash;
using ::sealtrail::testing::kEnochSignatureLine;
using ::sealtrail::testing::kEnochVerifierKey;
using ::sealtrail::testing::kGoKeyId;
using ::sealtrail::testing::kGoKeyName;
using ::sealtrail::testing::kGoNote;
using ::sealtrail::testing::kGoPrivateKey;
using ::sealtrail::testing::kGoSignatureBase64;
using ::sealtrail::testing::kGoSignatureLine;
using ::sealtrail::testing::kGoText;
using ::sealtrail::testing::kGoVerifierKey;
using ::sealtrail::testing::ReadWholeFile;
using ::sealtrail::testing::RefBase64Decode;
using ::sealtrail::testing::RefBase64Encode;
using ::sealtrail::testing::RefBigEndian32;
using ::sealtrail::testing::RefEd25519FromSeed;
using ::sealtrail::testing::RefEd25519Generate;
using ::sealtrail::testing::RefEd25519Key;
using ::sealtrail::testing::RefEd25519Sign;
using ::sealtrail::testing::RefEd25519Verify;
using ::sealtrail::testing::RefNoteKeyId;
using ::sealtrail::testing::RefSignatureLine;
using ::sealtrail::testing::RefVerifierKeyText;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::sealtrail::testing::WriteWholeFile;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string S(std::string_view s) { return std::string(s); }

std::string Hex(std::string_view bytes) {
  std::string out;
  for (char c : bytes) absl::StrAppendFormat(&out, "%02x", static_cast<uint8_t>(c));
  return out;
}

std::string IdHex(uint32_t id) { return absl::StrFormat("%08x", id); }

std::string AsBytes(const Ed25519PublicKey& key) {
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

NoteVerifierKey ParseOrDie(std::string_view text) {
  absl::StatusOr<NoteVerifierKey> key = ParseNoteVerifierKey(text);
  EXPECT_TRUE(key.ok()) << text << ": " << key.status();
  return key.ok() ? *key : NoteVerifierKey{};
}

NoteVerifierKey GoKey() { return ParseOrDie(kGoVerifierKey); }

// The 32-byte seed inside the Go private key text (its last field is base64(0x01 || seed)).
std::string GoSeed() {
  // The base64 itself may hold a '+': skip the four fields before it.
  const std::string_view b64 =
      kGoPrivateKey.substr(std::string_view("PRIVATE+KEY+PeterNeumann+c74f20a3+").size());
  std::optional<std::string> decoded = RefBase64Decode(b64);
  EXPECT_TRUE(decoded.has_value() && decoded->size() == 33 && (*decoded)[0] == 1);
  return decoded.has_value() ? decoded->substr(1) : std::string(32, '\0');
}

// The bytes inside the Go note's signature line: key ID (4) and Ed25519 signature (64).
std::string GoSignatureBytes() { return *RefBase64Decode(kGoSignatureBase64); }

// ---- Published vectors ----------------------------------------------------------------------

TEST(NoteVectorTest, SigningTheGoTextWithTheGoKeyReproducesTheGoNote) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::FromPrivateKeyText(kGoPrivateKey));
  EXPECT_EQ(signer.VerifierKeyText(), kGoVerifierKey);
  EXPECT_EQ(signer.verifier_key().name, kGoKeyName);
  EXPECT_EQ(signer.verifier_key().key_id, kGoKeyId);
  EXPECT_EQ(signer.PrivateKeyText(), kGoPrivateKey);
  EXPECT_THAT(signer.Sign(kGoText), IsOkAndHolds(S(kGoNote)));
}

TEST(NoteVectorTest, GoVerifierKeyParsesAndFormatsBack) {
  ASSERT_OK_AND_ASSIGN(const NoteVerifierKey key, ParseNoteVerifierKey(kGoVerifierKey));
  EXPECT_EQ(key.name, "PeterNeumann");
  EXPECT_EQ(key.key_id, 0xc74f20a3u);
  EXPECT_EQ(AsBytes(key.public_key), RefEd25519FromSeed(GoSeed()).public_key);
  EXPECT_EQ(NoteKeyId(key.name, key.public_key), 0xc74f20a3u);
  EXPECT_EQ(FormatNoteVerifierKey(key), kGoVerifierKey);
}

TEST(NoteVectorTest, GoNoteOpensAndParses) {
  EXPECT_THAT(OpenSignedNote(kGoNote, GoKey()), IsOkAndHolds(S(kGoText)));

  ASSERT_OK_AND_ASSIGN(const ParsedNote parsed, ParseSignedNote(kGoNote));
  EXPECT_EQ(parsed.text, kGoText);
  ASSERT_THAT(parsed.signatures, SizeIs(1));
  EXPECT_EQ(parsed.signatures[0].name, "PeterNeumann");
  EXPECT_EQ(parsed.signatures[0].key_id, kGoKeyId);
  EXPECT_EQ(parsed.signatures[0].signature, GoSignatureBytes().substr(4));
}

TEST(NoteVectorTest, GoNoteSignedByTwoKeysOpensWithEither) {
  const std::string note = S(kGoText) + "\n" + S(kGoSignatureLine) + S(kEnochSignatureLine);
  EXPECT_THAT(OpenSignedNote(note, GoKey()), IsOkAndHolds(S(kGoText)));
  EXPECT_THAT(OpenSignedNote(note, ParseOrDie(kEnochVerifierKey)), IsOkAndHolds(S(kGoText)));
  ASSERT_OK_AND_ASSIGN(const ParsedNote parsed, ParseSignedNote(note));
  ASSERT_THAT(parsed.signatures, SizeIs(2));
  EXPECT_EQ(parsed.signatures[1].name, "EnochRoot");
  EXPECT_EQ(parsed.signatures[1].key_id, 0xaf0cfe78u);
}

TEST(NoteVectorTest, C2spSpecificationExampleOpens) {
  ASSERT_OK_AND_ASSIGN(const NoteVerifierKey key, ParseNoteVerifierKey(kC2spVerifierKey));
  EXPECT_EQ(key.name, "example.com/foo");
  EXPECT_EQ(key.key_id, kC2spKeyId);
  EXPECT_EQ(Hex(AsBytes(key.public_key)), kC2spPublicKeyHex);
  EXPECT_EQ(NoteKeyId(key.name, key.public_key), kC2spKeyId);
  EXPECT_EQ(FormatNoteVerifierKey(key), kC2spVerifierKey);
  EXPECT_THAT(OpenSignedNote(kC2spNote, key), IsOkAndHolds(S(kC2spText)));
  // The Go key does not open it: no signature line has its name and ID.
  EXPECT_THAT(OpenSignedNote(kC2spNote, GoKey()), StatusIs(absl::StatusCode::kUnauthenticated));
}

// ---- Vectors built by hand from the specification ---------------------------------------------

// The reference helpers themselves reproduce the Go vector, so they can be trusted below.
TEST(NoteHandBuiltTest, ReferenceHelpersReproduceTheGoVector) {
  const RefEd25519Key go = RefEd25519FromSeed(GoSeed());
  EXPECT_EQ(RefVerifierKeyText("PeterNeumann", 0x01, go.public_key), kGoVerifierKey);
  EXPECT_EQ(RefNoteKeyId("PeterNeumann", 0x01, go.public_key), kGoKeyId);
  EXPECT_EQ(RefSignatureLine("PeterNeumann", kGoKeyId, RefEd25519Sign(go, kGoText)),
            kGoSignatureLine);
}

TEST(NoteHandBuiltTest, KeyIdIsTheFirstFourBytesOfSha256OfNameNewlineTypeAndKey) {
  // SHA-256(name || 0x0A || 0x01 || key)[:4], computed here with OpenSSL directly.
  const NoteVerifierKey go = GoKey();
  const std::string digest = testing::RefSha256(
      absl::StrCat("PeterNeumann\n", std::string(1, '\x01'), AsBytes(go.public_key)));
  EXPECT_EQ(Hex(digest.substr(0, 4)), "c74f20a3");
  EXPECT_EQ(NoteKeyId("PeterNeumann", go.public_key), 0xc74f20a3u);

  for (const std::string_view name : {"example.org/log", "a", "\xC3\xBCml\xC3\xA4ut"}) {
    const RefEd25519Key ref = RefEd25519Generate();
    Ed25519PublicKey public_key;
    std::copy(ref.public_key.begin(), ref.public_key.end(), public_key.begin());
    EXPECT_EQ(NoteKeyId(name, public_key), RefNoteKeyId(name, 0x01, ref.public_key)) << name;
  }
}

TEST(NoteHandBuiltTest, HandBuiltSignatureLineOpens) {
  const RefEd25519Key ref = RefEd25519Generate();
  const std::string name = "example.org/handmade";
  const std::string text = "line one\n\nline three after an empty line\n";
  const uint32_t id = RefNoteKeyId(name, 0x01, ref.public_key);
  const std::string vkey_text = RefVerifierKeyText(name, 0x01, ref.public_key);
  const std::string note = text + "\n" + RefSignatureLine(name, id, RefEd25519Sign(ref, text));

  ASSERT_OK_AND_ASSIGN(const NoteVerifierKey key, ParseNoteVerifierKey(vkey_text));
  EXPECT_EQ(key.name, name);
  EXPECT_EQ(key.key_id, id);
  EXPECT_EQ(AsBytes(key.public_key), ref.public_key);
  EXPECT_EQ(FormatNoteVerifierKey(key), vkey_text);
  EXPECT_THAT(OpenSignedNote(note, key), IsOkAndHolds(text));
}

TEST(NoteHandBuiltTest, LibraryNoteVerifiesWithOpenSslAlone) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::Generate("example.org/log"));
  const NoteVerifierKey& key = signer.verifier_key();
  EXPECT_EQ(signer.VerifierKeyText(), RefVerifierKeyText(key.name, 0x01, AsBytes(key.public_key)));

  const std::string text = "example.org/log\n7\nAAAA\n";
  ASSERT_OK_AND_ASSIGN(const std::string note, signer.Sign(text));
  const std::string prefix = text + "\n" + S(kEmDash) + " example.org/log ";
  ASSERT_TRUE(absl::StartsWith(note, prefix)) << note;
  ASSERT_TRUE(absl::EndsWith(note, "\n")) << note;
  const std::string b64 = note.substr(prefix.size(), note.size() - prefix.size() - 1);
  std::optional<std::string> bytes = RefBase64Decode(b64);
  ASSERT_TRUE(bytes.has_value()) << "not canonical base64: " << b64;
  ASSERT_EQ(bytes->size(), 4u + 64u);
  EXPECT_EQ(bytes->substr(0, 4), RefBigEndian32(key.key_id));
  EXPECT_TRUE(RefEd25519Verify(AsBytes(key.public_key), text, bytes->substr(4)));
  EXPECT_FALSE(RefEd25519Verify(AsBytes(key.public_key), text + "x\n", bytes->substr(4)));
}

// ---- Rejections -------------------------------------------------------------------------------

// The Go note with its signature line replaced by one carrying `bytes` (key ID || signature).
std::string GoNoteWithSignatureBytes(std::string_view bytes) {
  return S(kGoText) + "\n" + S(kEmDash) + " PeterNeumann " + RefBase64Encode(bytes) + "\n";
}

TEST(NoteRejectionTest, EveryFlippedSignatureBitIsUnauthenticated) {
  const std::string bytes = GoSignatureBytes();
  ASSERT_EQ(GoNoteWithSignatureBytes(bytes), kGoNote);
  for (size_t i = 4; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string forged = bytes;
      forged[i] = static_cast<char>(forged[i] ^ (1 << bit));
      EXPECT_THAT(OpenSignedNote(GoNoteWithSignatureBytes(forged), GoKey()),
                  StatusIs(absl::StatusCode::kUnauthenticated,
                           AllOf(HasSubstr("PeterNeumann"), HasSubstrIgnoringCase("signature"))))
          << "byte " << i << " bit " << bit;
    }
  }
}

TEST(NoteRejectionTest, AlteredTextIsUnauthenticated) {
  std::string note(kGoNote);
  note[3] = 'Y';  // "If you" -> "If You": one letter of the text
  EXPECT_THAT(OpenSignedNote(note, GoKey()),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("PeterNeumann")));
}

TEST(NoteRejectionTest, WrongKeyWithTheSameNameIsUnauthenticated) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner other, NoteSigner::Generate("PeterNeumann"));
  ASSERT_NE(other.verifier_key().key_id, kGoKeyId);
  // The message lists the signatures that are there, so the mismatch is visible.
  EXPECT_THAT(OpenSignedNote(kGoNote, other.verifier_key()),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       AllOf(HasSubstr("PeterNeumann"), HasSubstr("c74f20a3"))));

  ASSERT_OK_AND_ASSIGN(const std::string forged, other.Sign(kGoText));
  EXPECT_THAT(
      OpenSignedNote(forged, GoKey()),
      StatusIs(absl::StatusCode::kUnauthenticated,
               AllOf(HasSubstr("PeterNeumann"), HasSubstr(IdHex(other.verifier_key().key_id)))));
}

TEST(NoteRejectionTest, KeyIdMismatchIsUnauthenticated) {
  // Right name, other key ID, the genuine signature bytes: a line of an unknown key, ignored, so
  // no signature of the known key remains.
  std::string bytes = GoSignatureBytes();
  bytes.replace(0, 4, RefBigEndian32(kGoKeyId + 1));
  EXPECT_THAT(OpenSignedNote(GoNoteWithSignatureBytes(bytes), GoKey()),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       AllOf(HasSubstr("PeterNeumann"), HasSubstr(IdHex(kGoKeyId + 1)))));
}

TEST(NoteRejectionTest, ImpostorKeyWithTheSameNameAndIdIsUnauthenticated) {
  // Anyone can find a key whose ID collides with a known one; the signature must still fail.
  NoteVerifierKey impostor = GoKey();
  const RefEd25519Key other = RefEd25519Generate();
  std::copy(other.public_key.begin(), other.public_key.end(), impostor.public_key.begin());
  EXPECT_THAT(OpenSignedNote(kGoNote, impostor),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("PeterNeumann")));
}

TEST(NoteRejectionTest, EveryPrefixOfTheGoNoteIsRejected) {
  for (size_t n = 0; n < kGoNote.size(); ++n) {
    const std::string_view prefix = kGoNote.substr(0, n);
    absl::StatusOr<std::string> opened = OpenSignedNote(prefix, GoKey());
    EXPECT_THAT(opened, AnyOf(StatusIs(absl::StatusCode::kInvalidArgument),
                              StatusIs(absl::StatusCode::kUnauthenticated)))
        << "prefix of " << n << " bytes";
  }
}

TEST(NoteRejectionTest, EveryOneByteDeletionIsRejected) {
  for (size_t i = 0; i < kGoNote.size(); ++i) {
    std::string cut(kGoNote);
    cut.erase(i, 1);
    EXPECT_THAT(OpenSignedNote(cut, GoKey()), AnyOf(StatusIs(absl::StatusCode::kInvalidArgument),
                                                    StatusIs(absl::StatusCode::kUnauthenticated)))
        << "byte " << i << " deleted";
  }
}

TEST(NoteRejectionTest, ExtraBlankLinesBeforeTheSignatureAreRejected) {
  // The last blank line separates text and signatures, so the text gains an empty line and the
  // signature no longer covers it.
  for (const std::string_view extra : {"\n", "\n\n"}) {
    const std::string note = S(kGoText) + "\n" + S(extra) + S(kGoSignatureLine);
    ASSERT_OK_AND_ASSIGN(const ParsedNote parsed, ParseSignedNote(note));
    EXPECT_EQ(parsed.text, S(kGoText) + S(extra));
    EXPECT_THAT(OpenSignedNote(note, GoKey()),
                StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("PeterNeumann")));
  }
}

TEST(NoteRejectionTest, BlankLineAfterOrBetweenSignaturesIsRejected) {
  EXPECT_THAT(OpenSignedNote(S(kGoNote) + "\n", GoKey()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A blank line between two signature lines makes the first one part of the text.
  EXPECT_THAT(OpenSignedNote(S(kGoNote) + "\n" + S(kEnochSignatureLine), GoKey()),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(NoteRejectionTest, ControlCharactersAreRejected) {
  for (const char c : {'\x00', '\x01', '\t', '\r', '\x0b', '\x0c', '\x1b', '\x1f'}) {
    std::string in_text(kGoNote);
    in_text.insert(10, 1, c);
    EXPECT_THAT(OpenSignedNote(in_text, GoKey()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstrIgnoringCase("control")))
        << "0x" << Hex(std::string(1, c)) << " in the text";
    EXPECT_THAT(ParseSignedNote(in_text), StatusIs(absl::StatusCode::kInvalidArgument));

    std::string in_signature(kGoNote);
    in_signature.insert(kGoNote.size() - 5, 1, c);
    EXPECT_THAT(OpenSignedNote(in_signature, GoKey()), StatusIs(absl::StatusCode::kInvalidArgument))
        << "0x" << Hex(std::string(1, c)) << " in the signature line";
  }
  EXPECT_THAT(OpenSignedNote(absl::StrReplaceAll(S(kGoNote), {{"\n", "\r\n"}}), GoKey()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstrIgnoringCase("control")));
}

TEST(NoteRejectionTest, InvalidUtf8IsRejected) {
  for (const std::string_view bad : {
           std::string_view("\xff"),
           std::string_view("\x80"),              // a lone continuation byte
           std::string_view("\xc0\xaf"),          // overlong '/'
           std::string_view("\xe0\x80\xaf"),      // overlong '/'
           std::string_view("\xed\xa0\x80"),      // a UTF-16 surrogate, U+D800
           std::string_view("\xf4\x90\x80\x80"),  // above U+10FFFF
           std::string_view("\xe2\x80"),          // a sequence cut short
       }) {
    std::string note(kGoNote);
    note.insert(10, bad);
    EXPECT_THAT(OpenSignedNote(note, GoKey()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstrIgnoringCase("UTF-8")))
        << Hex(bad);
  }
  // The em dash of the signature line cut short.
  std::string note(kGoNote);
  note.erase(kGoText.size() + 1 + 2, 1);
  EXPECT_THAT(OpenSignedNote(note, GoKey()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(NoteRejectionTest, NonCanonicalBase64SignatureIsRejected) {
  // The signature ends in "JnAM=": 'M' carries two zero bits that a lenient decoder ignores, so
  // "JnAN=" decodes to the same bytes and would verify if accepted.
  const std::string b64(kGoSignatureBase64);
  ASSERT_TRUE(absl::EndsWith(b64, "JnAM="));
  const std::string stray_bits = b64.substr(0, b64.size() - 2) + "N=";
  ASSERT_FALSE(RefBase64Decode(stray_bits).has_value());
  for (const std::string& variant : {
           stray_bits, b64.substr(0, b64.size() - 1),            // padding dropped
           b64 + "=",                                            // extra padding
           absl::StrReplaceAll(b64, {{"/", "_"}}),               // base64url alphabet
           b64.substr(0, 20) + "\xE2\x80\x83" + b64.substr(20),  // an em space inside
           b64.substr(0, 20) + " " + b64.substr(20),             // a space inside
       }) {
    const std::string note = S(kGoText) + "\n" + S(kEmDash) + " PeterNeumann " + variant + "\n";
    EXPECT_THAT(OpenSignedNote(note, GoKey()), StatusIs(absl::StatusCode::kInvalidArgument))
        << variant;
  }
  EXPECT_THAT(OpenSignedNote(S(kGoText) + "\n" + S(kEmDash) + " PeterNeumann " + stray_bits + "\n",
                             GoKey()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstrIgnoringCase("base64")));
}

TEST(NoteRejectionTest, SignatureOfFourBytesOrFewerIsRejected) {
  for (const std::string_view bytes : {"", "\xc7", "\xc7\x4f\x20\xa3"}) {
    EXPECT_THAT(OpenSignedNote(GoNoteWithSignatureBytes(bytes), GoKey()),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bytes.size() << " bytes";
  }
}

TEST(NoteRejectionTest, MalformedNotesAreRejected) {
  const std::string text(kGoText);
  const std::string sig(kGoSignatureLine);
  const std::string b64(kGoSignatureBase64);
  for (const std::string& note : {
           text,                                                       // no signatures
           text + "\n",                                                // no signature lines
           text + "\n" + sig.substr(0, sig.size() - 1),                // no final newline
           text + sig,                                                 // no blank line
           text + "\n" + S(kEmDash) + " Bad Name " + b64 + "\n",       // a space in the name
           text + "\n" + S(kEmDash) + " Peter+Neumann " + b64 + "\n",  // '+' in the name
           text + "\n" + S(kEmDash) + "  PeterNeumann " + b64 + "\n",  // empty name
           text + "\n" + S(kEmDash) + " " + b64 + "\n",                // no name
           text + "\n" + S(kEmDash) + " PeterNeumann\n",               // no signature
           text + "\n" + S(kEmDash) + " PeterNeumann " + b64 + " \n",  // trailing space
           text + "\n" + "- PeterNeumann " + b64 + "\n",               // hyphen, not em dash
           text + "\n" + S(kEmDash) + "PeterNeumann " + b64 + "\n",    // no space after the dash
           text + "\n" + sig + "Unexpected line.\n",                   // not a signature line
           "\n" + sig,                                                 // empty text
       }) {
    EXPECT_THAT(OpenSignedNote(note, GoKey()), StatusIs(absl::StatusCode::kInvalidArgument))
        << note;
    EXPECT_THAT(ParseSignedNote(note), StatusIs(absl::StatusCode::kInvalidArgument)) << note;
  }
}

TEST(NoteRejectionTest, MoreThanTheMaximumNumberOfSignaturesIsRejected) {
  std::string lines;
  for (size_t i = 0; i < kMaxNoteSignatures; ++i) lines += kGoSignatureLine;
  EXPECT_THAT(OpenSignedNote(S(kGoText) + "\n" + lines, GoKey()), IsOkAndHolds(S(kGoText)));
  EXPECT_THAT(OpenSignedNote(S(kGoText) + "\n" + lines + S(kEnochSignatureLine), GoKey()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstrIgnoringCase("signatures")));
}

TEST(NoteRejectionTest, SignaturesOfUnknownKeysAreIgnored) {
  // Sixteen other keys (the specification's minimum), one of them sharing the name.
  std::string before;
  std::string after;
  for (int i = 0; i < 16; ++i) {
    ASSERT_OK_AND_ASSIGN(const NoteSigner other,
                         NoteSigner::Generate(i == 0 ? "PeterNeumann" : absl::StrCat("other", i)));
    ASSERT_OK_AND_ASSIGN(const std::string signed_by_other, other.Sign(kGoText));
    (i % 2 == 0 ? before : after) += signed_by_other.substr(kGoText.size() + 1);
  }
  const std::string note = S(kGoText) + "\n" + before + S(kGoSignatureLine) + after;
  EXPECT_THAT(OpenSignedNote(note, GoKey()), IsOkAndHolds(S(kGoText)));
  // An unknown key's bad signature is no reason to refuse either.
  std::string forged_enoch(kEnochSignatureLine);
  forged_enoch[forged_enoch.size() - 10] ^= 0x01;
  EXPECT_THAT(OpenSignedNote(note + forged_enoch, GoKey()), IsOkAndHolds(S(kGoText)));
}

TEST(NoteRejectionTest, AFailingSignatureOfTheKeyRejectsTheNoteEvenBesideAGoodOne) {
  // c2sp.org/signed-note: if a signature from a known key fails to verify, clients SHOULD
  // reject the whole note (Go's note.Open does).
  std::string bytes = GoSignatureBytes();
  bytes[20] ^= 0x01;
  const std::string forged_line = S(kEmDash) + " PeterNeumann " + RefBase64Encode(bytes) + "\n";
  EXPECT_THAT(OpenSignedNote(S(kGoText) + "\n" + S(kGoSignatureLine) + forged_line, GoKey()),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(OpenSignedNote(S(kGoText) + "\n" + forged_line + S(kGoSignatureLine), GoKey()),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

// ---- Verifier keys ----------------------------------------------------------------------------

struct BadKey {
  std::string text;
  std::vector<std::string> any_of;  // The message names at least one of these (any case).
};

TEST(NoteVerifierKeyTest, MalformedVerifierKeysAreRejectedSayingWhy) {
  const std::string go(kGoVerifierKey);
  const std::string public_key = RefEd25519FromSeed(GoSeed()).public_key;
  const std::string b64 = go.substr(go.rfind('+') + 1);
  const std::vector<BadKey> bad_keys = {
      {"", {}},
      {"PeterNeumann", {}},
      {"PeterNeumann+c74f20a3", {}},
      {"PeterNeumann+c74f20a+" + b64, {"key ID", "hex"}},
      {"PeterNeumann+c74f20a30+" + b64, {"key ID", "hex"}},
      {"PeterNeumann+c74f20g3+" + b64, {"key ID", "hex"}},
      {"PeterNeumann+-74f20a3+" + b64, {"key ID", "hex"}},
      {"PeterNeumann+c74f20a4+" + b64, {"key ID", "match"}},
      {"PeterNeumann++" + b64, {"key ID", "hex"}},
      // Only the type byte is wrong (the ID is computed for it).
      {RefVerifierKeyText("PeterNeumann", 0x02, public_key), {"type", "Ed25519"}},
      {RefVerifierKeyText("PeterNeumann", 0x04, public_key), {"type", "Ed25519"}},
      // Go's: unknown algorithm, with adjusted key hash.
      {"PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", {"type", "Ed25519"}},
      // Only the length is wrong.
      {RefVerifierKeyText("PeterNeumann", 0x01, public_key.substr(0, 31)), {"length", "32"}},
      {RefVerifierKeyText("PeterNeumann", 0x01, public_key + "x"), {"length", "32"}},
      {RefVerifierKeyText("PeterNeumann", 0x01, ""), {"length", "32"}},
      // Go's: wrong length key, with adjusted key hash.
      {"PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", {}},
      // Names.
      {RefVerifierKeyText("Peter+Neumann", 0x01, public_key), {"name", "key ID"}},
      {RefVerifierKeyText("Peter Neumann", 0x01, public_key), {"name"}},
      {RefVerifierKeyText("Peter\tNeumann", 0x01, public_key), {"name"}},
      {RefVerifierKeyText("Peter\xC2\xA0Neumann", 0x01, public_key), {"name"}},
      {RefVerifierKeyText("", 0x01, public_key), {"name"}},
      // Not canonical standard base64 (33 bytes fill 44 characters exactly, so no stray bits).
      {go + "=", {"base64"}},
      {go + "==", {"base64"}},
      {absl::StrReplaceAll(go, {{"/", "_"}}), {"base64"}},
      {go.substr(0, go.size() - 10) + "\n" + go.substr(go.size() - 10), {"base64"}},
      {go.substr(0, go.size() - 1), {"base64", "length"}},
  };
  for (const BadKey& bad : bad_keys) {
    absl::StatusOr<NoteVerifierKey> parsed = ParseNoteVerifierKey(bad.text);
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument)) << bad.text;
    if (parsed.ok() || bad.any_of.empty()) continue;
    bool named = false;
    for (const std::string& word : bad.any_of) {
      named = named || absl::StrContains(absl::AsciiStrToLower(parsed.status().message()),
                                         absl::AsciiStrToLower(word));
    }
    EXPECT_TRUE(named) << bad.text << ": the message \"" << parsed.status().message()
                       << "\" names none of " << absl::StrJoin(bad.any_of, ", ");
  }
}

// Go's TestNewVerifier: every proper substring and every one-byte change is refused.
TEST(NoteVerifierKeyTest, EveryManglingOfTheGoVerifierKeyIsRejected) {
  const std::string key(kGoVerifierKey);
  for (size_t i = 0; i <= key.size(); ++i) {
    for (size_t j = i + 1; j <= key.size(); ++j) {
      if (i == 0 && j == key.size()) continue;
      EXPECT_THAT(ParseNoteVerifierKey(key.substr(i, j - i)),
                  StatusIs(absl::StatusCode::kInvalidArgument))
          << key.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    std::string changed = key;
    ++changed[i];
    EXPECT_THAT(ParseNoteVerifierKey(changed), StatusIs(absl::StatusCode::kInvalidArgument))
        << changed;
  }
}

// Go's TestNewSigner, for the private key text.
TEST(NoteVerifierKeyTest, EveryManglingOfTheGoPrivateKeyIsRejected) {
  const std::string key(kGoPrivateKey);
  for (size_t i = 0; i <= key.size(); ++i) {
    for (size_t j = i + 1; j <= key.size(); ++j) {
      if (i == 0 && j == key.size()) continue;
      EXPECT_THAT(NoteSigner::FromPrivateKeyText(key.substr(i, j - i)),
                  StatusIs(absl::StatusCode::kInvalidArgument))
          << key.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    std::string changed = key;
    ++changed[i];
    EXPECT_THAT(NoteSigner::FromPrivateKeyText(changed),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << changed;
  }
}

TEST(NoteVerifierKeyTest, KeyNamesFollowTheSpecification) {
  for (const std::string_view good :
       {"PeterNeumann", "example.com/foo", "a", "\xC3\xBCml\xC3\xA4ut", "log.example/2024-01_x"}) {
    EXPECT_TRUE(IsValidNoteKeyName(good)) << good;
  }
  for (const std::string_view bad : {
           std::string_view(""), std::string_view("a b"), std::string_view("a+b"),
           std::string_view("a\tb"), std::string_view("a\nb"),
           std::string_view("a\x01"
                            "b"),
           std::string_view("a\x00"
                            "b",
                            3),
           std::string_view("a\xC2\xA0"
                            "b"),  // U+00A0 no-break space
           std::string_view("a\xE2\x80\x83"
                            "b"),  // U+2003 em space
           std::string_view("a\xE2\x80\xA8"
                            "b"),  // U+2028 line separator
           std::string_view("a\xE3\x80\x80"
                            "b"),  // U+3000 ideographic space
       }) {
    EXPECT_FALSE(IsValidNoteKeyName(bad)) << Hex(bad);
    EXPECT_THAT(NoteSigner::Generate(bad), StatusIs(absl::StatusCode::kInvalidArgument))
        << Hex(bad);
  }
}

// ---- The signer -------------------------------------------------------------------------------

TEST(NoteSignerTest, SignRefusesTextsThatCannotBeNotes) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::FromPrivateKeyText(kGoPrivateKey));
  for (const std::string_view text : {
           std::string_view(""),
           std::string_view("no final newline"),
           std::string_view("a\x01"
                            "b\n"),
           std::string_view("tab\there\n"),
           std::string_view("cr\r\n"),
           std::string_view("\xff\n"),
       }) {
    EXPECT_THAT(signer.Sign(text), StatusIs(absl::StatusCode::kInvalidArgument)) << Hex(text);
  }
}

TEST(NoteSignerTest, GeneratedKeysAreDistinctAndOpenOnlyTheirOwnNotes) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner a, NoteSigner::Generate("example.org/log"));
  ASSERT_OK_AND_ASSIGN(const NoteSigner b, NoteSigner::Generate("example.org/log"));
  EXPECT_NE(a.verifier_key().public_key, b.verifier_key().public_key);
  EXPECT_NE(a.PrivateKeyText(), b.PrivateKeyText());
  EXPECT_EQ(a.verifier_key().key_id, NoteKeyId("example.org/log", a.verifier_key().public_key));
  ASSERT_OK_AND_ASSIGN(const std::string note, a.Sign("hello\n"));
  EXPECT_THAT(OpenSignedNote(note, a.verifier_key()), IsOkAndHolds(std::string("hello\n")));
  EXPECT_THAT(OpenSignedNote(note, b.verifier_key()), StatusIs(absl::StatusCode::kUnauthenticated));
  // The private key text round-trips.
  ASSERT_OK_AND_ASSIGN(const NoteSigner a2, NoteSigner::FromPrivateKeyText(a.PrivateKeyText()));
  EXPECT_EQ(a2.VerifierKeyText(), a.VerifierKeyText());
  EXPECT_THAT(a2.Sign("hello\n"), IsOkAndHolds(note));
}

// ---- Key files --------------------------------------------------------------------------------

TEST(NoteKeyFileTest, WriteNewFileCreatesAFileOnlyTheOwnerCanRead) {
  ScratchDir dir("note_test");
  const std::string path = dir.Sub("log.key");
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::Generate("example.org/log"));
  ASSERT_OK(signer.WriteNewFile(Env::Default(), path));
  EXPECT_THAT(FileModeOf(path), IsOkAndHolds(mode_t{0600}));
  ASSERT_OK_AND_ASSIGN(const std::string contents, ReadWholeFile(path));
  EXPECT_TRUE(absl::StartsWith(contents, absl::StrCat("PRIVATE+KEY+example.org/log+",
                                                      IdHex(signer.verifier_key().key_id), "+")))
      << contents;
  EXPECT_THAT(contents, AnyOf(signer.PrivateKeyText(), signer.PrivateKeyText() + "\n"));
}

TEST(NoteKeyFileTest, WriteNewFileNeverOverwrites) {
  ScratchDir dir("note_test");
  const std::string path = dir.Sub("log.key");
  ASSERT_OK_AND_ASSIGN(const NoteSigner first, NoteSigner::Generate("example.org/log"));
  ASSERT_OK_AND_ASSIGN(const NoteSigner second, NoteSigner::Generate("example.org/log"));
  ASSERT_OK(first.WriteNewFile(Env::Default(), path));
  ASSERT_OK_AND_ASSIGN(const std::string before, ReadWholeFile(path));

  EXPECT_THAT(second.WriteNewFile(Env::Default(), path),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(first.WriteNewFile(Env::Default(), path), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(ReadWholeFile(path), IsOkAndHolds(before));
  EXPECT_THAT(FileModeOf(path), IsOkAndHolds(mode_t{0600}));

  // Nor any other file.
  const std::string other = dir.Sub("precious.txt");
  ASSERT_OK(WriteWholeFile(other, "do not touch\n"));
  EXPECT_THAT(first.WriteNewFile(Env::Default(), other),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(ReadWholeFile(other), IsOkAndHolds(std::string("do not touch\n")));
  EXPECT_THAT(FileModeOf(other), IsOkAndHolds(mode_t{0644}));
}

TEST(NoteKeyFileTest, LoadFileRefusesAKeyThatGroupOrOthersCanAccess) {
  ScratchDir dir("note_test");
  const std::string path = dir.Sub("log.key");
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::Generate("example.org/log"));
  ASSERT_OK(signer.WriteNewFile(Env::Default(), path));
  for (const mode_t mode : {0640, 0644, 0604, 0620, 0602, 0660, 0666, 0601, 0610}) {
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
    EXPECT_THAT(NoteSigner::LoadFile(Env::Default(), path),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         AllOf(HasSubstr(path), HasSubstr(absl::StrFormat("%o", mode)))))
        << absl::StrFormat("mode %04o", mode);
  }
  for (const mode_t mode : {0600, 0400}) {
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
    ASSERT_OK_AND_ASSIGN(const NoteSigner loaded, NoteSigner::LoadFile(Env::Default(), path));
    EXPECT_EQ(loaded.VerifierKeyText(), signer.VerifierKeyText())
        << absl::StrFormat("mode %04o", mode);
  }
}

TEST(NoteKeyFileTest, LoadFileOfAMissingOrMalformedFileFails) {
  ScratchDir dir("note_test");
  EXPECT_THAT(NoteSigner::LoadFile(Env::Default(), dir.Sub("missing.key")),
              StatusIs(absl::StatusCode::kNotFound));
  const std::string path = dir.Sub("bad.key");
  ASSERT_OK(WriteWholeFile(path, "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr\n"));
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  EXPECT_THAT(NoteSigner::LoadFile(Env::Default(), path),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A verifier key is not a private key.
  ASSERT_OK(WriteWholeFile(path, S(kGoVerifierKey) + "\n"));
  EXPECT_THAT(NoteSigner::LoadFile(Env::Default(), path),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(NoteKeyFileTest, GeneratedKeyRoundTripsThroughItsFile) {
  ScratchDir dir("note_test");
  const std::string path = dir.Sub("log.key");
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::Generate("example.org/log"));
  ASSERT_OK(signer.WriteNewFile(Env::Default(), path));
  ASSERT_OK_AND_ASSIGN(const NoteSigner loaded, NoteSigner::LoadFile(Env::Default(), path));
  EXPECT_EQ(loaded.PrivateKeyText(), signer.PrivateKeyText());
  EXPECT_EQ(loaded.VerifierKeyText(), signer.VerifierKeyText());
  const std::string text = "example.org/log\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  ASSERT_OK_AND_ASSIGN(const std::string original_note, signer.Sign(text));
  EXPECT_THAT(loaded.Sign(text), IsOkAndHolds(original_note));
}

TEST(NoteKeyFileTest, GoPrivateKeyFileLoadsWithOrWithoutAFinalNewline) {
  ScratchDir dir("note_test");
  for (const std::string_view ending : {"", "\n"}) {
    const std::string path = dir.Sub(ending.empty() ? "go.key" : "go_nl.key");
    ASSERT_OK(WriteWholeFile(path, S(kGoPrivateKey) + S(ending)));
    ASSERT_EQ(chmod(path.c_str(), 0600), 0);
    ASSERT_OK_AND_ASSIGN(const NoteSigner loaded, NoteSigner::LoadFile(Env::Default(), path));
    EXPECT_THAT(loaded.Sign(kGoText), IsOkAndHolds(S(kGoNote)));
  }
}

}  // namespace
}  // namespace sealtrail
