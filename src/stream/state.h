// Keyed state: value, list, map and aggregating state scoped by key and namespace (a window, or
// the global window), with optional time-to-live; and the in-memory (heap) backend.
//
// A keyed operator sets the current key (and namespace) on the backend before calling user code;
// state handles then read and write the entry of that key. Entries live as typed objects in hash
// tables (no serialisation on access); snapshot() serialises every table with serde<>.
// Backend contract (what a RocksDB backend implements): named tables created at open(), the
// state_table snapshot/restore/size interface, and the handle methods below; a RocksDB table would
// serialise (key, namespace) as the row key and the value with serde<V> on each access.
// TTL: an entry expires `ttl` after its last write (processing time); expired entries are never
// returned, are removed when read, and are left out of snapshots (cleanup_expired() purges).
// Not thread-safe: owned by one operator instance.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/assert.h"
#include "stream/hash.h"
#include "stream/serde.h"
#include "stream/time.h"

namespace otter::stream {

struct state_ttl {
    millis ttl{0};  // 0: entries never expire
};

template <typename K>
struct scoped_key {
    K key;
    time_window ns;
    bool operator==(const scoped_key& o) const { return ns == o.ns && key == o.key; }
    auto members() { return std::tie(key, ns); }
};

template <typename K>
struct scoped_key_hash {
    uint64_t operator()(const scoped_key<K>& k) const {
        return hash_combine(key_hash<K>{}(k.key), mix64(static_cast<uint64_t>(k.ns.start) * 31 +
                                                        static_cast<uint64_t>(k.ns.end)));
    }
};

// The current key, namespace and processing time, shared by a backend's tables.
template <typename K>
struct key_scope {
    const K* key = nullptr;
    time_window ns = global_window;
    int64_t now = 0;
};

class state_table {
  public:
    virtual ~state_table() = default;
    virtual void snapshot(writer& w) const = 0;
    virtual bool restore(reader& r) = 0;
    // Entries (including expired ones not yet purged).
    virtual size_t size() const = 0;
    virtual void cleanup_expired() = 0;
};

template <typename K, typename V>
class table_base : public state_table {
  public:
    table_base(const key_scope<K>* scope, state_ttl ttl) : scope_(scope), ttl_(ttl) {}

    void snapshot(writer& w) const override {
        uint64_t n = 0;
        for (const auto& [k, e] : map_)
            n += live(e) ? 1 : 0;
        w.u64(n);
        for (const auto& [k, e] : map_) {
            if (live(e)) {
                write_value(w, k);
                write_value(w, e.value);
                w.i64(e.expires);
            }
        }
    }
    bool restore(reader& r) override {
        map_.clear();
        size_t n = r.length();
        for (size_t i = 0; i < n && r.ok(); ++i) {
            scoped_key<K> k{};
            entry e{};
            read_value(r, k);
            read_value(r, e.value);
            e.expires = r.i64();
            map_.emplace(std::move(k), std::move(e));
        }
        return r.ok();
    }
    size_t size() const override { return map_.size(); }
    void cleanup_expired() override {
        for (auto it = map_.begin(); it != map_.end();) {
            it = live(it->second) ? std::next(it) : map_.erase(it);
        }
    }
    void clear() { map_.erase(current()); }

  protected:
    struct entry {
        V value{};
        int64_t expires = max_timestamp;
    };
    scoped_key<K> current() const {
        OTTER_ASSERT(scope_->key != nullptr, "keyed state used outside a keyed context");
        return {*scope_->key, scope_->ns};
    }
    bool live(const entry& e) const { return e.expires > scope_->now; }
    // The live entry of the current key, or null (an expired one is erased).
    entry* find() {
        auto it = map_.find(current());
        if (it == map_.end()) {
            return nullptr;
        }
        if (!live(it->second)) {
            map_.erase(it);
            return nullptr;
        }
        return &it->second;
    }
    entry& upsert() {
        entry* e = find();
        if (e == nullptr) {
            e = &map_[current()];
        }
        touch(*e);
        return *e;
    }
    void touch(entry& e) const {
        e.expires = ttl_.ttl.count() > 0 ? scope_->now + ttl_.ttl.count() : max_timestamp;
    }

    const key_scope<K>* scope_;
    state_ttl ttl_;
    std::unordered_map<scoped_key<K>, entry, scoped_key_hash<K>> map_;
};

template <typename K, typename V>
class value_state final : public table_base<K, V> {
  public:
    using table_base<K, V>::table_base;
    // The value of the current key, or null.
    const V* get() {
        auto* e = this->find();
        return e ? &e->value : nullptr;
    }
    std::optional<V> value() {
        auto* v = get();
        return v ? std::optional<V>(*v) : std::nullopt;
    }
    void update(V v) { this->upsert().value = std::move(v); }
};

template <typename K, typename V>
class list_state final : public table_base<K, std::vector<V>> {
  public:
    using table_base<K, std::vector<V>>::table_base;
    // The list of the current key, or null when empty.
    const std::vector<V>* get() {
        auto* e = this->find();
        return e ? &e->value : nullptr;
    }
    void add(V v) { this->upsert().value.push_back(std::move(v)); }
    void update(std::vector<V> v) { this->upsert().value = std::move(v); }
};

template <typename K, typename UK, typename UV>
class map_state final : public table_base<K, std::map<UK, UV>> {
  public:
    using table_base<K, std::map<UK, UV>>::table_base;
    const UV* get(const UK& uk) {
        auto* e = this->find();
        if (e == nullptr) {
            return nullptr;
        }
        auto it = e->value.find(uk);
        return it == e->value.end() ? nullptr : &it->second;
    }
    void put(UK uk, UV uv) { this->upsert().value[std::move(uk)] = std::move(uv); }
    void remove(const UK& uk) {
        auto* e = this->find();
        if (e != nullptr) {
            e->value.erase(uk);
            if (e->value.empty()) {
                this->clear();
            }
        }
    }
    // All entries of the current key, or null.
    const std::map<UK, UV>* entries() {
        auto* e = this->find();
        return e ? &e->value : nullptr;
    }
};

// Agg: an aggregate function (see window.h): acc_type, create(), add(acc, in), result(acc).
template <typename K, typename Agg>
class aggregating_state final : public table_base<K, typename Agg::acc_type> {
  public:
    aggregating_state(const key_scope<K>* scope, state_ttl ttl, Agg agg)
        : table_base<K, typename Agg::acc_type>(scope, ttl), agg_(std::move(agg)) {}
    template <typename In>
    void add(const In& v) {
        auto* e = this->find();
        if (e == nullptr) {
            auto& n = this->map_[this->current()];
            n.value = agg_.create();
            e = &n;
        }
        this->touch(*e);
        agg_.add(e->value, v);
    }
    auto result() -> std::optional<
        decltype(std::declval<Agg&>().result(std::declval<const typename Agg::acc_type&>()))> {
        auto* e = this->find();
        if (e == nullptr) {
            return std::nullopt;
        }
        return agg_.result(e->value);
    }

  private:
    Agg agg_;
};

// The in-memory keyed state backend of one operator instance.
template <typename K>
class keyed_state_backend {
  public:
    void set_current_key(const K* key, time_window ns = global_window) {
        scope_.key = key;
        scope_.ns = ns;
    }
    void set_processing_time(int64_t now) { scope_.now = now; }
    const K* current_key() const { return scope_.key; }

    // Returns the table `name`, created on first use. Call from open(), before restore.
    template <typename V>
    value_state<K, V>& value(const std::string& name, state_ttl ttl = {}) {
        return get_or_make<value_state<K, V>>(name, &scope_, ttl);
    }
    template <typename V>
    list_state<K, V>& list(const std::string& name, state_ttl ttl = {}) {
        return get_or_make<list_state<K, V>>(name, &scope_, ttl);
    }
    template <typename UK, typename UV>
    map_state<K, UK, UV>& map(const std::string& name, state_ttl ttl = {}) {
        return get_or_make<map_state<K, UK, UV>>(name, &scope_, ttl);
    }
    template <typename Agg>
    aggregating_state<K, Agg>& aggregating(const std::string& name, Agg agg, state_ttl ttl = {}) {
        return get_or_make<aggregating_state<K, Agg>>(name, &scope_, ttl, std::move(agg));
    }

    void snapshot(writer& w) const {
        w.u64(tables_.size());
        for (const auto& [name, t] : tables_) {
            w.str(name);
            bytes b;
            writer tw(b);
            t->snapshot(tw);
            w.str(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
        }
    }
    bool restore(reader& r) {
        size_t n = r.length();
        for (size_t i = 0; i < n && r.ok(); ++i) {
            std::string name = r.str();
            std::string body = r.str();
            auto it = tables_.find(name);
            if (it == tables_.end()) {
                return false;  // state the job no longer declares: incompatible
            }
            reader tr(bytes_view(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
            if (!it->second->restore(tr)) {
                return false;
            }
        }
        return r.ok();
    }
    void cleanup_expired() {
        for (auto& [name, t] : tables_)
            t->cleanup_expired();
    }
    size_t entries() const {
        size_t n = 0;
        for (const auto& [name, t] : tables_)
            n += t->size();
        return n;
    }

  private:
    template <typename Table, typename... Args>
    Table& get_or_make(const std::string& name, Args&&... args) {
        auto it = tables_.find(name);
        if (it == tables_.end()) {
            it = tables_.emplace(name, std::make_unique<Table>(std::forward<Args>(args)...)).first;
        }
        auto* t = dynamic_cast<Table*>(it->second.get());
        OTTER_ASSERT(t != nullptr, "state declared twice with different types");
        return *t;
    }

    key_scope<K> scope_;
    std::map<std::string, std::unique_ptr<state_table>> tables_;
};

}  // namespace otter::stream
