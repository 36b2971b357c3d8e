// Normalizer: turns a subject name or a search query into the form the name index compares, and
// gives the pinyin of a normalized text.
//
//   1. NFKC (ICU): full-width letters, digits and brackets become half-width, compatibility
//      characters their canonical form: "（郑州）ＡＢＣ" → "(郑州)ABC".
//   2. Traditional → simplified (OpenCC t2s, phrase-aware): "鄭州宇通" → "郑州宇通". OpenCC is
//      slow (~12 µs a name), so a per-character table built once from OpenCC itself tells which
//      texts contain a character it would change; only those (under 1% of real names) go
//      through the converter.
//   3. Whitespace of every kind removed, ASCII letters lower-cased.
//
// Pinyin comes from ICU's Han→Latin transliteration, computed once per CJK character (a whole
// name through the transliterator costs ~300 µs) and stored as syllable ids: "宇通客车" →
// yu tong ke che, initials "ytkc". Polyphonic characters get ICU's default reading. ASCII
// letters and digits are their own one-letter syllables.
//
// Thread-safe after Create (the OpenCC converter is used under a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace opencc {
class SimpleConverter;
}

namespace xinyong::search {

class Normalizer {
 public:
  static constexpr uint16_t kNoSyllable = 0;

  // Loads OpenCC's t2s configuration and builds the per-character tables (about a second, most
  // of it ICU's transliterator).
  static Result<std::unique_ptr<Normalizer>> Create();
  // One instance for the whole process, created on first use.
  static Result<const Normalizer*> Shared();
  ~Normalizer();

  // The normalized UTF-8 text; invalid UTF-8 sequences are dropped.
  std::string Normalize(std::string_view text) const;

  // Code points of a (normalized) UTF-8 text.
  static void Decode(std::string_view utf8, std::u32string* out);

  // The syllable id of a code point (kNoSyllable for punctuation and unknown characters).
  uint16_t Syllable(char32_t c) const;
  // The syllables of a decoded text, skipping characters without one.
  void Syllables(std::u32string_view text, std::vector<uint16_t>* out) const;
  // Syllable id ↔ text ("zhong"). SyllableId returns kNoSyllable for an unknown syllable.
  std::string_view SyllableText(uint16_t id) const { return syllables_[id]; }
  uint16_t SyllableId(std::string_view text) const;
  size_t syllable_count() const { return syllables_.size(); }
  size_t max_syllable_length() const { return max_syllable_length_; }

 private:
  Normalizer();
  uint16_t Intern(const std::string& syllable);

  std::unique_ptr<opencc::SimpleConverter> t2s_;
  mutable std::mutex t2s_mu_;
  std::vector<bool> traditional_;  // by code point: OpenCC would change it
  std::vector<uint16_t> pinyin_;   // by code point below kTableLimit: syllable id
  std::vector<std::string> syllables_;  // by id; [0] is "" (kNoSyllable)
  std::unordered_map<std::string, uint16_t> syllable_ids_;
  size_t max_syllable_length_ = 0;
};

}  // namespace xinyong::search
