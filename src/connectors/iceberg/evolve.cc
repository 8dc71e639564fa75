#include "connectors/iceberg/evolve.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "connectors/iceberg/metadata_commit.h"
#include "connectors/iceberg/table.h"

namespace otter::iceberg {

using err = unexpected<std::string>;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trim(std::string_view s) {
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos)
        return "";
    size_t e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

// Checks the request against `current` alone (no I/O), so errors come before any commit.
result<void, std::string> validate(const schema& current, const std::vector<new_column>& columns) {
    if (columns.empty())
        return err{std::string("add-column: no columns given")};
    std::set<std::string> names;
    for (auto& f : current.fields)
        names.insert(lower(f.name));
    for (auto& c : columns) {
        if (c.name.empty())
            return err{std::string("add-column: empty column name")};
        if (c.name.find('.') != std::string::npos)
            return err{"add-column: column name '" + c.name +
                       "' contains '.' (nested columns are not supported)"};
        if (c.required)
            return err{"add-column: column '" + c.name +
                       "' cannot be required: rows written before have no value for it (Iceberg "
                       "allows only optional columns to be added)"};
        if (!names.insert(lower(c.name)).second)
            return err{"add-column: column '" + c.name + "' already exists"};
        field f;
        f.name = c.name;
        f.type = c.type;
        if (auto cs = to_column_spec(f); !cs)
            return err{"add-column: column '" + c.name + "': " + cs.error()};
    }
    return {};
}

}  // namespace

result<new_column, std::string> parse_new_column(std::string_view text) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos)
        return err{"--column wants name:type[:doc], got '" + std::string(text) + "'"};
    new_column c;
    c.name = trim(text.substr(0, colon));
    std::string_view rest = text.substr(colon + 1);
    size_t colon2 = rest.find(':');
    std::string type = trim(rest.substr(0, colon2));
    if (colon2 != std::string_view::npos)
        c.doc = trim(rest.substr(colon2 + 1));
    for (std::string_view suffix : {" required", " not null"}) {
        std::string l = lower(type);
        if (l.size() > suffix.size() && l.ends_with(suffix)) {
            c.required = true;
            type = trim(type.substr(0, type.size() - suffix.size()));
        }
    }
    if (c.name.empty() || type.empty())
        return err{"--column wants name:type[:doc], got '" + std::string(text) + "'"};
    // Canonical spelling of decimal(P,S) as Iceberg writes it: "decimal(P, S)".
    int32_t p = 0, s = 0;
    field probe;
    probe.type = lower(type);
    if (decimal_params(probe.type, p, s))
        type = "decimal(" + std::to_string(p) + ", " + std::to_string(s) + ")";
    else
        type = lower(type);
    c.type = type;
    return c;
}

result<schema, std::string> add_columns(const std::string& dir,
                                        const std::vector<new_column>& columns,
                                        int max_commit_attempts, const storage_options& storage) {
    schema added;
    auto committed = commit_metadata(
        dir,
        [&](const loaded_table& base, ojson& next) -> result<void, std::string> {
            const auto& m = base.meta;
            if (m.format_version != 2)
                return err{"add-column: only format-version 2 tables are supported (table has " +
                           std::to_string(m.format_version) + ")"};
            const schema* cur = m.current_schema();
            if (!cur)
                return err{std::string("add-column: table has no current schema")};
            if (auto v = validate(*cur, columns); !v)
                return v;

            // Start from the current schema's JSON as stored, so docs, identifier-field-ids and
            // nested types of existing fields survive unchanged.
            ojson sj;
            for (auto& s : next["schemas"])
                if (s.is_object() && s.contains("schema-id") &&
                    s["schema-id"].is_number_integer() &&
                    s["schema-id"].get<int64_t>() == cur->schema_id)
                    sj = s;
            if (!sj.is_object())
                return err{std::string("add-column: current schema not found in schemas")};
            int32_t next_schema_id = 0;
            for (auto& s : m.schemas)
                next_schema_id = std::max(next_schema_id, s.schema_id + 1);
            int32_t last_id = m.last_column_id;
            for (auto& s : m.schemas)
                last_id = std::max(last_id, s.max_field_id());
            sj["schema-id"] = next_schema_id;
            for (auto& c : columns) {
                ojson f;
                f["id"] = ++last_id;
                f["name"] = c.name;
                f["required"] = false;
                f["type"] = c.type;
                if (!c.doc.empty())
                    f["doc"] = c.doc;
                sj["fields"].push_back(std::move(f));
            }
            auto parsed = parse_schema_json(sj);
            if (!parsed)
                return err{"add-column: " + parsed.error()};
            added = std::move(*parsed);
            next["schemas"].push_back(std::move(sj));
            next["current-schema-id"] = next_schema_id;
            next["last-column-id"] = last_id;
            return {};
        },
        max_commit_attempts, storage);
    if (!committed)
        return err{committed.error()};
    return added;
}

}  // namespace otter::iceberg
