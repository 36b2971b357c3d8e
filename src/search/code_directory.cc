#include "search/code_directory.h"

#include <chrono>
#include <functional>
#include <mutex>

#include "storage/store.h"

namespace xinyong::search {

namespace {

// splitmix64's finalizer: spreads the kind and the string hash over all 64 bits (the low ones
// choose the shard; the map hashes the key again for its slot).
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t KeyOf(IdentifierKind kind, std::string_view value) {
  return Mix(std::hash<std::string_view>()(value) + static_cast<uint64_t>(kind));
}

}  // namespace

bool CodeDirectory::Kept(IdentifierKind kind) {
  return kind == IdentifierKind::kUscc || kind == IdentifierKind::kPersonCode;
}

bool Holds(const Subject& s, IdentifierKind kind, std::string_view value) {
  for (const Identifier& i : s.identifiers) {
    if (i.kind == kind && i.value == value) return true;
  }
  return false;
}

Result<std::unique_ptr<CodeDirectory>> CodeDirectory::Build(const storage::Store& store) {
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<CodeDirectory> d(new CodeDirectory());
  XY_RETURN_IF_ERROR(store.ScanSubjects([&](const Subject& s) {
    d->Add(s);
    return Status::Ok();
  }));
  d->build_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return d;
}

void CodeDirectory::Add(const Subject& s) {
  for (const Identifier& i : s.identifiers) {
    if (!Kept(i.kind)) continue;
    const uint64_t key = KeyOf(i.kind, i.value);
    Shard& shard = shards_[key % kShards];
    std::unique_lock lock(shard.mu);
    shard.ids.insert_or_assign(key, s.id);
  }
}

void CodeDirectory::Apply(std::span<const Subject> subjects) {
  for (const Subject& s : subjects) Add(s);
}

uint64_t CodeDirectory::Find(IdentifierKind kind, std::string_view value) const {
  if (!Kept(kind)) return 0;
  const uint64_t key = KeyOf(kind, value);
  const Shard& shard = shards_[key % kShards];
  std::shared_lock lock(shard.mu);
  auto it = shard.ids.find(key);
  return it == shard.ids.end() ? 0 : it->second;
}

CodeDirectoryStats CodeDirectory::Stats() const {
  CodeDirectoryStats st;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    st.codes += shard.ids.size();
  }
  st.build_seconds = build_seconds_;
  return st;
}

}  // namespace xinyong::search
