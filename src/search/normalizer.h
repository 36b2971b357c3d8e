// Normalizer: turns a subject name or a search query into the form the name index compares, and
// gives the pinyin of a normalized text.
//
//   1. NFKC (ICU): full-width letters, digits and brackets become half-width, compatibility
//      characters their canonical form: "（郑州）ＡＢＣ" → "(郑州)ABC".
//   2. Traditional → simplified, character by character, as OpenCC's t2s converts each
//      character on its own: "鄭州宇通" → "郑州宇通". Not OpenCC's phrase-aware conversion of the
//      whole text: that converts a character by its neighbours (乾元 stays, 乾 alone becomes 干),
//      so a fragment typed into the search box would not be a fragment of the normalized name.
//      Per character, a part of a name always normalizes to a part of the normalized name.
//   3. Whitespace of every kind removed, ASCII letters lower-cased.
//
// Pinyin comes from ICU's Han→Latin transliteration, computed once per CJK character (a whole
// name through the transliterator costs ~300 µs) and stored as syllable ids: "宇通客车" →
// yu tong ke che, initials "ytkc". Polyphonic characters get ICU's default reading. ASCII
// letters and digits are their own one-letter syllables.
//
// Thread-safe after Create (immutable).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

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

  std::vector<bool> traditional_;  // by code point: OpenCC would change it …
  std::unordered_map<char32_t, char32_t> simplified_;  // … to this code point (a character
                                                       // OpenCC turns into several is kept)
  std::vector<uint16_t> pinyin_;   // by code point below kTableLimit: syllable id
  std::vector<std::string> syllables_;  // by id; [0] is "" (kNoSyllable)
  std::unordered_map<std::string, uint16_t> syllable_ids_;
  size_t max_syllable_length_ = 0;
};

}  // namespace xinyong::search
