// Image decoding and the float-plane operations of core/calib/image.h.
//
// Files with known pixels are written here by hand, independent of the
// decoder: 24-bit and 8-bit palette BMPs (Microsoft's BITMAPINFOHEADER
// layout: rows bottom-up, padded to 4 bytes, pixels stored B, G, R) and PNGs
// whose zlib stream uses stored (uncompressed) deflate blocks (RFC 1950,
// 1951, PNG spec section 5: signature, IHDR, IDAT, IEND, each with a CRC-32).
// Expected resize values are worked out from the half-pixel formula by hand.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "calib/image.h"
#include "calib_test_util.h"
#include "support/corpus.h"
#include "support/temp_dir.h"

namespace qs::calib {
namespace {

using test_util::Bytes;
using test_util::put16;
using test_util::put32;
using test_util::put32be;
using test_util::write_file;

// `rgb` is row-major from the top, 3 bytes a pixel. With `palette_gray`,
// an 8-bit file whose palette entry i is (i, i, i) and `rgb` holds one
// byte a pixel.
Bytes bmp(int width, int height, const Bytes& pixels, bool palette_gray = false) {
  const int bpp = palette_gray ? 8 : 24;
  const int row = (width * bpp / 8 + 3) / 4 * 4;
  const uint32_t palette = palette_gray ? 256 * 4 : 0;
  const uint32_t offset = 14 + 40 + palette;
  Bytes b{'B', 'M'};
  put32(b, offset + static_cast<uint32_t>(row * height));
  put32(b, 0);
  put32(b, offset);
  put32(b, 40);
  put32(b, static_cast<uint32_t>(width));
  put32(b, static_cast<uint32_t>(height));
  put16(b, 1);
  put16(b, static_cast<uint32_t>(bpp));
  for (int i = 0; i < 6; ++i) put32(b, 0);  // no compression, sizes and palette counts default
  for (uint32_t i = 0; i < palette / 4; ++i) {
    for (int k = 0; k < 3; ++k) b.push_back(static_cast<uint8_t>(i));
    b.push_back(0);
  }
  const int per_pixel = palette_gray ? 1 : 3;
  for (int y = height - 1; y >= 0; --y) {
    const size_t start = b.size();
    for (int x = 0; x < width; ++x) {
      const size_t p = static_cast<size_t>((y * width + x) * per_pixel);
      if (palette_gray) {
        b.push_back(pixels[p]);
      } else {
        b.insert(b.end(), {pixels[p + 2], pixels[p + 1], pixels[p]});
      }
    }
    b.resize(start + static_cast<size_t>(row), 0);
  }
  return b;
}

uint32_t crc32(const uint8_t* data, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= data[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

void chunk(Bytes& png, const char* type, const Bytes& body) {
  put32be(png, static_cast<uint32_t>(body.size()));
  Bytes typed(type, type + 4);
  typed.insert(typed.end(), body.begin(), body.end());
  png.insert(png.end(), typed.begin(), typed.end());
  put32be(png, crc32(typed.data(), typed.size()));
}

// An 8-bit PNG: colour type 0 (gray) or 2 (RGB), filter 0 on every row.
Bytes png(int width, int height, int channels, const Bytes& pixels) {
  Bytes raw;
  const size_t row = static_cast<size_t>(width * channels);
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels.begin() + static_cast<std::ptrdiff_t>(y * row),
               pixels.begin() + static_cast<std::ptrdiff_t>((y + 1) * row));
  }
  Bytes z{0x78, 0x01, 0x01};  // zlib header; one final stored block
  put16(z, static_cast<uint32_t>(raw.size()));
  put16(z, static_cast<uint32_t>(~raw.size() & 0xFFFF));
  z.insert(z.end(), raw.begin(), raw.end());
  uint32_t a = 1, b = 0;
  for (uint8_t v : raw) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  put32be(z, b << 16 | a);
  Bytes out{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr;
  put32be(ihdr, static_cast<uint32_t>(width));
  put32be(ihdr, static_cast<uint32_t>(height));
  ihdr.insert(ihdr.end(), {8, static_cast<uint8_t>(channels == 1 ? 0 : 2), 0, 0, 0});
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", z);
  chunk(out, "IEND", {});
  return out;
}

FloatImage plane(int width, int height, std::vector<float> values) {
  FloatImage f;
  f.width = width;
  f.height = height;
  f.channels = static_cast<int>(values.size()) / (width * height);
  f.values = std::move(values);
  return f;
}

std::filesystem::path data(const std::string& name) { return test::shared_dir() / "data" / name; }

// --------------------------------------------------------------- decoding

TEST(CalibImage, DecodesBmpAsRgbTopDown) {
  test::TempDir dir;
  // 3x2: red, green, blue / white, black, (10, 20, 30).
  const Bytes pixels{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 10, 20, 30};
  write_file(dir / "a.bmp", bmp(3, 2, pixels));
  auto img = decode_image(dir / "a.bmp");
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->width, 3);
  EXPECT_EQ(img->height, 2);
  EXPECT_EQ(img->channels, 3);
  EXPECT_EQ(img->pixels, std::vector<uint8_t>(pixels.begin(), pixels.end()));
}

TEST(CalibImage, GrayFilesAreReplicatedToRgb) {
  test::TempDir dir;
  const Bytes gray{0, 50, 100, 150, 200, 250};
  write_file(dir / "g.png", png(3, 2, 1, gray));
  write_file(dir / "g.bmp", bmp(3, 2, gray, /*palette_gray=*/true));
  for (const char* name : {"g.png", "g.bmp"}) {
    auto img = decode_image(dir / name);
    ASSERT_TRUE(img) << img.error().message;
    ASSERT_EQ(img->channels, 3) << name;
    ASSERT_EQ(img->pixels.size(), 18u) << name;
    for (size_t i = 0; i < gray.size(); ++i) {
      for (size_t c = 0; c < 3; ++c) EXPECT_EQ(img->pixels[i * 3 + c], gray[i]) << name << " pixel " << i;
    }
  }
}

TEST(CalibImage, DecodesRgbPng) {
  test::TempDir dir;
  const Bytes pixels{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  write_file(dir / "c.png", png(2, 2, 3, pixels));
  auto img = decode_image(dir / "c.png");
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->pixels, std::vector<uint8_t>(pixels.begin(), pixels.end()));
  auto header = read_image_header(dir / "c.png");
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->width, 2);
  EXPECT_EQ(header->height, 2);
  EXPECT_EQ(header->channels, 3);
}

TEST(CalibImage, CorruptFilesFailNamingTheFile) {
  test::TempDir dir;
  write_file(dir / "junk.png", Bytes{'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'});
  auto img = decode_image(dir / "junk.png");
  ASSERT_FALSE(img);
  EXPECT_NE(img.error().message.find((dir / "junk.png").string() + ": cannot decode image: "),
            std::string::npos)
      << img.error().message;
  EXPECT_FALSE(read_image_header(dir / "junk.png"));

  // A PNG cut inside its IDAT: the header reads, the pixels do not.
  Bytes whole = png(16, 16, 3, Bytes(16 * 16 * 3, 7));
  whole.resize(60);
  write_file(dir / "cut.png", whole);
  EXPECT_TRUE(read_image_header(dir / "cut.png"));
  auto cut = decode_image(dir / "cut.png");
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("cut.png: cannot decode image"), std::string::npos)
      << cut.error().message;

  auto missing = decode_image(dir / "none.jpg");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("none.jpg: cannot open"), std::string::npos)
      << missing.error().message;
}

TEST(CalibImage, AbsurdSizesAreRefusedBeforeDecoding) {
  test::TempDir dir;
  // Headers only: a 20000 x 1 BMP and a 16385 x 16385 PNG, with no pixel data behind them.
  Bytes wide = bmp(1, 1, {0, 0, 0});
  wide[18] = 0x20;  // width 20000 = 0x4E20, little-endian at offset 18
  wide[19] = 0x4E;
  write_file(dir / "wide.bmp", wide);
  Bytes big = png(1, 1, 1, {0});
  for (size_t at : {16u, 20u}) {  // IHDR width and height, big-endian
    big[at] = 0;
    big[at + 1] = 0;
    big[at + 2] = 0x40;
    big[at + 3] = 0x01;
  }
  const uint32_t crc = crc32(&big[12], 17);
  for (int i = 0; i < 4; ++i) big[29 + static_cast<size_t>(i)] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  write_file(dir / "big.png", big);
  for (const char* name : {"wide.bmp", "big.png"}) {
    auto img = decode_image(dir / name);
    ASSERT_FALSE(img) << name;
    EXPECT_NE(img.error().message.find(std::string(name) + ": image is "), std::string::npos)
        << img.error().message;
    EXPECT_NE(img.error().message.find("beyond the limit"), std::string::npos) << img.error().message;
    EXPECT_FALSE(read_image_header(dir / name)) << name;
  }
}

TEST(CalibImage, RealFilesFromTheCorpus) {
  QS_REQUIRE_CORPUS();
  // The catalog: MNIST PNGs are 28x28 gray; the name of the LiteRT JPEG is
  // <content>_<W>_<H>_3; person.bmp is a 96x96 8-bit palette BMP of gray.
  auto mnist = decode_image(data("mnist_sample7.png"));
  ASSERT_TRUE(mnist) << mnist.error().message;
  EXPECT_EQ(mnist->width, 28);
  EXPECT_EQ(mnist->height, 28);
  bool ink = false;
  for (size_t i = 0; i < mnist->pixels.size(); i += 3) {
    ASSERT_EQ(mnist->pixels[i], mnist->pixels[i + 1]);
    ASSERT_EQ(mnist->pixels[i], mnist->pixels[i + 2]);
    ink = ink || mnist->pixels[i] > 128;
  }
  EXPECT_TRUE(ink);
  EXPECT_EQ(mnist->pixels[0], 0);  // MNIST digits sit on a black background

  auto face = decode_image(data("early_color_photo_face_128_224_3.jpeg"));
  ASSERT_TRUE(face) << face.error().message;
  EXPECT_EQ(face->width, 128);
  EXPECT_EQ(face->height, 224);

  auto person = read_image_header(data("person.bmp"));
  ASSERT_TRUE(person) << person.error().message;
  EXPECT_EQ(person->width, 96);
  EXPECT_EQ(person->height, 96);
}

// ------------------------------------------------------ float operations

TEST(CalibImage, ResizeUpsamplesWithHalfPixelCentres) {
  // 2x1 -> 4x1: out x reads (x + 0.5) * 0.5 - 0.5 = -0.25, 0.25, 0.75, 1.25,
  // clamped to 0, 0.25, 0.75, 1: values 10, 12.5, 17.5, 20.
  const FloatImage out = resize_bilinear(plane(2, 1, {10, 20}), 4, 1);
  ASSERT_EQ(out.values.size(), 4u);
  EXPECT_FLOAT_EQ(out.values[0], 10);
  EXPECT_FLOAT_EQ(out.values[1], 12.5f);
  EXPECT_FLOAT_EQ(out.values[2], 17.5f);
  EXPECT_FLOAT_EQ(out.values[3], 20);
}

TEST(CalibImage, ResizeByHalfAveragesPixelPairs) {
  // in/out = 2: out d reads 2d + 0.5, halfway between 2d and 2d + 1; in two
  // dimensions, the mean of each 2x2 block (no antialiasing beyond that).
  std::vector<float> v(4 * 4 * 2);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i * i % 17);
  const FloatImage in = plane(4, 4, v);
  const FloatImage out = resize_bilinear(in, 2, 2);
  ASSERT_EQ(out.channels, 2);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 2; ++x) {
      for (int c = 0; c < 2; ++c) {
        const float mean = (in.at(2 * x, 2 * y, c) + in.at(2 * x + 1, 2 * y, c) + in.at(2 * x, 2 * y + 1, c) +
                            in.at(2 * x + 1, 2 * y + 1, c)) /
                           4;
        EXPECT_FLOAT_EQ(out.at(x, y, c), mean) << x << "," << y << "," << c;
      }
    }
  }
}

TEST(CalibImage, ResizeDownByThreeReadsTheCentrePixel) {
  // 9x1 -> 3x1: out d reads (d + 0.5) * 3 - 0.5 = 3d + 1 exactly.
  const FloatImage out = resize_bilinear(plane(9, 1, {0, 1, 2, 3, 4, 5, 6, 7, 8}), 3, 1);
  EXPECT_EQ(out.values, (std::vector<float>{1, 4, 7}));
  // The same size is the identity.
  const FloatImage same = resize_bilinear(plane(2, 1, {3, 4}), 2, 1);
  EXPECT_EQ(same.values, (std::vector<float>{3, 4}));
}

TEST(CalibImage, CenterCropKeepsTheMiddle) {
  // 5x3, value = 10 y + x; a 2x1 crop has margins 3 and 2: starts at x 1, y 1.
  std::vector<float> v;
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 5; ++x) v.push_back(static_cast<float>(10 * y + x));
  }
  const FloatImage out = center_crop(plane(5, 3, v), 2, 1);
  EXPECT_EQ(out.width, 2);
  EXPECT_EQ(out.height, 1);
  EXPECT_EQ(out.values, (std::vector<float>{11, 12}));
}

TEST(CalibImage, ResizeCoverScalesTheShortSideThenCrops) {
  // 2x4 -> 1x1: scale max(1/2, 1/4) = 1/2 gives 1x2, whose rows read source
  // rows 0.5 and 2.5 (the means of rows 0-1 and 2-3), columns 0.5; the crop
  // keeps the first of the two rows (the odd margin goes to the bottom).
  const FloatImage in = plane(2, 4, {0, 2, 4, 6, 8, 10, 12, 14});
  const FloatImage out = resize_cover(in, 1, 1);
  ASSERT_EQ(out.values.size(), 1u);
  EXPECT_FLOAT_EQ(out.values[0], (0 + 2 + 4 + 6) / 4.0f);
  // 4x2 -> 2x2: scale 1 (the height already fits), crop columns 1..2.
  const FloatImage wide = resize_cover(plane(4, 2, {0, 1, 2, 3, 4, 5, 6, 7}), 2, 2);
  EXPECT_EQ(wide.values, (std::vector<float>{1, 2, 5, 6}));
}

TEST(CalibImage, GrayUsesBt601Weights) {
  const FloatImage g = to_gray(plane(3, 1, {255, 0, 0, 0, 255, 0, 10, 20, 30}));
  ASSERT_EQ(g.channels, 1);
  EXPECT_NEAR(g.values[0], 0.299f * 255, 1e-4);
  EXPECT_NEAR(g.values[1], 0.587f * 255, 1e-4);
  EXPECT_NEAR(g.values[2], 0.299f * 10 + 0.587f * 20 + 0.114f * 30, 1e-4);
}

}  // namespace
}  // namespace qs::calib
