// Writes valid record batches, one per codec, as the seed corpus of record_batch_fuzz:
//   make_batch_seeds fuzz/corpus/record_batch
// Run by hand when the batch format code changes; its output is committed.
#include <cstdio>
#include <string>

#include "model/record_batch.h"

int main(int argc, char** argv) {
    using namespace otter;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const std::string k = "key", v = "value-value-value", hk = "h";
    auto view = [](const std::string& s) {
        return bytes_view(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    for (int c = 0; c <= 4; ++c) {
        model::batch_builder b(static_cast<codec>(c), 1700000000000);
        b.add(view(k), view(v), 1700000000000, {{hk, "x"}})
            .add(std::nullopt, view(v), 1700000000005)
            .add(view(k), std::nullopt, 1700000000001);
        bytes out = b.build();
        std::string path = std::string(argv[1]) + "/batch_" + codec_name(static_cast<codec>(c));
        FILE* f = std::fopen(path.c_str(), "wb");
        if (!f) {
            std::perror(path.c_str());
            return 1;
        }
        std::fwrite(out.data(), 1, out.size(), f);
        std::fclose(f);
    }
    return 0;
}
