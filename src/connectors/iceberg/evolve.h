// Schema evolution of an Iceberg table: adding optional columns.
//
// A new column gets a fresh field id above last-column-id and the new schema a fresh schema-id;
// both are committed as the next metadata version (schemas, current-schema-id, last-column-id,
// metadata-log) with the exclusive-create protocol of appends. Data files written before keep
// their schema: readers resolve columns by field id and read the new column as null there.
// Appenders opened afterwards write the new schema. See docs/formats/iceberg-table.md.
//
// Thread-safety: a free function; concurrent commits are serialised by the metadata commit.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "connectors/iceberg/file_io.h"
#include "connectors/iceberg/schema.h"

namespace otter::iceberg {

struct new_column {
    std::string name;
    std::string type;  // a primitive type as in `otter table create` ("long", "decimal(10, 2)")
    bool required = false;  // refused: existing rows have no value for a new column
    std::string doc;        // optional "doc" of the field
};

// Adds `columns` (in order) to the current schema of the table at `dir` and returns the new
// schema. Fails, committing nothing, when `columns` is empty, a name is empty, duplicated or
// already in the schema (compared case-insensitively, as most engines resolve names), a type is
// not a supported primitive, a column is required, or the table is not format-version 2.
result<schema, std::string> add_columns(const std::string& dir,
                                        const std::vector<new_column>& columns,
                                        int max_commit_attempts = 10,
                                        const storage_options& storage = {});

// Parses the CLI form "name:type[:doc]" (type may end in " required", which add_columns refuses
// with a clear message rather than this parser).
result<new_column, std::string> parse_new_column(std::string_view text);

}  // namespace otter::iceberg
