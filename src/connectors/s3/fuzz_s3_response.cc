// libFuzzer target: the parsers of bytes an S3 endpoint sends back (ListObjectsV2 and <Error>
// XML documents, entity decoding) and of s3:// URIs from table metadata. They must never crash,
// hang or read out of bounds, whatever the server answers. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/s3/client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 4) {
        case 0: {
            auto page = otter::s3::parse_list_v2_xml(body);
            (void)page;
            break;
        }
        case 1: {
            auto e = otter::s3::parse_error_xml(400 + data[0] % 100, body);
            (void)e;
            break;
        }
        case 2: {
            auto s = otter::s3::xml_unescape(body);
            (void)s;
            break;
        }
        default: {
            auto u = otter::s3::parse_s3_uri(body);
            (void)u;
            break;
        }
    }
    return 0;
}
