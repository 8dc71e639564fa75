// libFuzzer target for the readers of untrusted table files: Avro object containers (manifests,
// manifest lists) and vN.metadata.json. The first input byte picks the decoder. Every input must
// be rejected with an error or parsed; crashes, leaks and UB are bugs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/avro/avro.h"
#include "connectors/iceberg/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0)
        return 0;
    otter::bytes_view in(data + 1, size - 1);
    switch (data[0] % 4) {
        case 0: {
            auto r = otter::avro::container_reader::open(in);
            if (r)
                (void)r->read_all();
            break;
        }
        case 1:
            (void)otter::iceberg::parse_manifest(in);
            break;
        case 2:
            (void)otter::iceberg::parse_manifest_list(in);
            break;
        default:
            (void)otter::iceberg::parse_table_metadata(
                std::string_view(reinterpret_cast<const char*>(in.data()), in.size()));
            break;
    }
    return 0;
}
