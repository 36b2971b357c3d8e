#include "search/normalizer.h"

#include <opencc/opencc.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <exception>

namespace xinyong::search {

namespace {

constexpr char32_t kTableLimit = 0x30000;  // through CJK extension G's plane

// The CJK ranges whose characters get a traditional-character check, and those given a pinyin.
constexpr std::pair<char32_t, char32_t> kCjkRanges[] = {
    {0x3400, 0x4DBF},    // extension A
    {0x4E00, 0x9FFF},    // unified ideographs
    {0x20000, 0x2A6DF},  // extension B
};
constexpr std::pair<char32_t, char32_t> kPinyinRanges[] = {
    {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},
};

void AppendUtf8(char32_t c, std::string* out) {
  char buf[4];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(buf, n, 4, static_cast<UChar32>(c), error);
  if (!error) out->append(buf, static_cast<size_t>(n));
}

// Characters that show nothing (a zero-width space U+200B, a soft hyphen U+00AD, U+FEFF,
// U+2060, other format and control characters): a name copied from a web page or a Word file
// carries them unseen, and NFKC keeps them.
bool IsInvisible(char32_t c) {
  const int8_t type = u_charType(static_cast<UChar32>(c));
  return type == U_FORMAT_CHAR || type == U_CONTROL_CHAR;
}

bool IsSpace(char32_t c) { return c < 0x80 ? (c == ' ' || (c >= 0x09 && c <= 0x0D)) : u_isUWhiteSpace(static_cast<UChar32>(c)); }

// Brackets, which names use around a place or a form (河南中原（集团）有限公司, ABC科技（郑州）有限公司)
// and people leave out when they type a name: dropped like spaces, so that 中原集团 finds the
// first. (Full-width ones are ASCII after NFKC.)
bool IsBracket(char32_t c) {
  switch (c) {
    case '(': case ')': case '[': case ']': case '{': case '}':
    case U'【': case U'】': case U'〔': case U'〕': case U'〈': case U'〉': case U'《': case U'》':
    case U'「': case U'」': case U'『': case U'』': case U'〖': case U'〗':
    case U'〘': case U'〙': case U'〚': case U'〛': case U'⦅': case U'⦆':  // ⦅⦆: NFKC of ｟｠
      return true;
    default:
      return false;
  }
}

}  // namespace

Normalizer::Normalizer() = default;
Normalizer::~Normalizer() = default;

uint16_t Normalizer::Intern(const std::string& syllable) {
  auto [it, inserted] = syllable_ids_.emplace(syllable, static_cast<uint16_t>(syllables_.size()));
  if (inserted) {
    syllables_.push_back(syllable);
    max_syllable_length_ = std::max(max_syllable_length_, syllable.size());
  }
  return it->second;
}

Result<std::unique_ptr<Normalizer>> Normalizer::Create() {
  std::unique_ptr<Normalizer> n(new Normalizer());
  std::unique_ptr<opencc::SimpleConverter> t2s;
  try {
    t2s = std::make_unique<opencc::SimpleConverter>("t2s.json");
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("cannot load OpenCC's t2s.json (package opencc): ") +
                               e.what());
  }
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<icu::Transliterator> han(
      icu::Transliterator::createInstance("Han-Latin; Latin-ASCII", UTRANS_FORWARD, err));
  if (U_FAILURE(err) || !han) {
    return Status::Unavailable(std::string("cannot create ICU's Han-Latin transliterator: ") +
                               u_errorName(err));
  }
  n->syllables_.push_back("");
  n->syllable_ids_.emplace("", kNoSyllable);
  n->traditional_.assign(kTableLimit, false);
  n->pinyin_.assign(kTableLimit, kNoSyllable);
  // ASCII letters and digits are syllables of their own.
  for (char c = 'a'; c <= 'z'; ++c) n->pinyin_[static_cast<unsigned char>(c)] = n->Intern(std::string(1, c));
  for (char c = '0'; c <= '9'; ++c) n->pinyin_[static_cast<unsigned char>(c)] = n->Intern(std::string(1, c));
  // OpenCC runs once over every character, one per line (a call per character costs 70 times
  // more). ICU's transliterator is the other way round — slower over one long text than per
  // character — so it gets the characters one by one, and only the ranges names use (the
  // extension B characters are not in its pinyin data anyway).
  std::vector<char32_t> chars;
  std::string lines;
  for (auto [lo, hi] : kCjkRanges) {
    for (char32_t c = lo; c <= hi; ++c) {
      chars.push_back(c);
      AppendUtf8(c, &lines);
      lines.push_back('\n');
    }
  }
  const std::string simplified = t2s->Convert(lines);
  std::string_view rest = simplified;
  std::string one;
  for (char32_t c : chars) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) {
      return Status::Internal("OpenCC changed the number of lines of the character table");
    }
    one.clear();
    AppendUtf8(c, &one);
    const std::string_view converted = rest.substr(0, nl);
    if (converted != one) {
      std::u32string to;
      Decode(converted, &to);
      if (to.size() == 1) {  // one character for another; anything else keeps the character
        n->traditional_[c] = true;
        n->simplified_[c] = to[0];
      }
    }
    rest.remove_prefix(nl + 1);
  }
  std::string latin;
  for (auto [lo, hi] : kPinyinRanges) {
    for (char32_t c = lo; c <= hi; ++c) {
      icu::UnicodeString u(static_cast<UChar32>(c));
      han->transliterate(u);
      latin.clear();
      u.toUTF8String(latin);
      std::string syllable;
      for (char ch : latin) {
        if (ch >= 'a' && ch <= 'z') syllable.push_back(ch);
        else if (ch >= 'A' && ch <= 'Z') syllable.push_back(static_cast<char>(ch - 'A' + 'a'));
      }
      // An untransliterated character comes back as itself (no ASCII letters at all).
      if (!syllable.empty() && syllable.size() <= 8) n->pinyin_[c] = n->Intern(syllable);
    }
  }
  return n;
}

Result<const Normalizer*> Normalizer::Shared() {
  static const Result<std::unique_ptr<Normalizer>> shared = Create();
  if (!shared.ok()) return shared.status();
  return shared->get();
}

void Normalizer::Decode(std::string_view utf8, std::u32string* out) {
  out->clear();
  int32_t i = 0;
  const auto len = static_cast<int32_t>(utf8.size());
  while (i < len) {
    UChar32 c = 0;
    U8_NEXT(utf8.data(), i, len, c);
    if (c >= 0) out->push_back(static_cast<char32_t>(c));
  }
}

std::string Normalizer::Normalize(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  bool ascii = true;
  for (char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    for (char ch : text) {
      if (IsSpace(static_cast<unsigned char>(ch)) || IsBracket(static_cast<unsigned char>(ch))) continue;
      out.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
    }
    return out;
  }

  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(err);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  std::string composed;
  if (U_SUCCESS(err) && !nfkc->isNormalized(u, err)) {
    err = U_ZERO_ERROR;
    icu::UnicodeString n = nfkc->normalize(u, err);
    if (U_SUCCESS(err)) u = std::move(n);
  }
  u.toUTF8String(composed);

  std::u32string cps;
  Decode(composed, &cps);
  for (char32_t c : cps) {
    // U+FFFD: what an invalid byte became.
    if (c == 0xFFFD || IsSpace(c) || IsBracket(c) || IsInvisible(c)) continue;
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
    if (c < kTableLimit && traditional_[c]) c = simplified_.at(c);
    AppendUtf8(c, &out);
  }
  return out;
}

uint16_t Normalizer::Syllable(char32_t c) const {
  return c < kTableLimit ? pinyin_[c] : kNoSyllable;
}

void Normalizer::Syllables(std::u32string_view text, std::vector<uint16_t>* out) const {
  out->clear();
  for (char32_t c : text) {
    uint16_t s = Syllable(c);
    if (s != kNoSyllable) out->push_back(s);
  }
}

uint16_t Normalizer::SyllableId(std::string_view text) const {
  auto it = syllable_ids_.find(std::string(text));
  return it == syllable_ids_.end() ? kNoSyllable : it->second;
}

}  // namespace xinyong::search
