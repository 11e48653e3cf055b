import CZlib
import Foundation

/// A decoded PNG (8-bit grey, RGB or RGBA, not interlaced: what a browser's screenshot is), for
/// tests that look at the pixels of a rendered page.
public struct PNGImage {
    public let width: Int, height: Int
    /// RGB, row by row.
    public let rgb: [UInt8]

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(contentsOf path: String) throws {
        try self.init(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    public init(bytes: [UInt8]) throws {
        guard bytes.count > 8, bytes.prefix(8).elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Failure(description: "not a PNG")
        }
        var i = 8
        var w = 0, h = 0, colour = -1
        var idat: [UInt8] = []
        func u32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        while i + 8 <= bytes.count {
            let length = u32(i)
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            let data = i + 8
            guard data + length + 4 <= bytes.count else { throw Failure(description: "chunk \(type) runs past the end") }
            switch type {
            case "IHDR":
                w = u32(data); h = u32(data + 4)
                guard bytes[data + 8] == 8, bytes[data + 12] == 0 else { throw Failure(description: "only 8-bit, not interlaced") }
                colour = Int(bytes[data + 9])
            case "IDAT": idat += bytes[data..<(data + length)]
            default: break
            }
            if type == "IEND" { break }
            i = data + length + 4
        }
        let channels: Int
        switch colour {
        case 0: channels = 1
        case 2: channels = 3
        case 6: channels = 4
        default: throw Failure(description: "colour type \(colour) not supported")
        }
        let stride = w * channels
        var raw = [UInt8](repeating: 0, count: h * (stride + 1))
        var size = uLongf(raw.count)
        let rc = raw.withUnsafeMutableBufferPointer { out in
            idat.withUnsafeBufferPointer { input in uncompress(out.baseAddress, &size, input.baseAddress, uLong(input.count)) }
        }
        guard rc == Z_OK, Int(size) == raw.count else { throw Failure(description: "IDAT does not inflate to \(w)×\(h)") }
        // Undo the filters, row by row.
        var pixels = [UInt8](repeating: 0, count: h * stride)
        for y in 0..<h {
            let filter = raw[y * (stride + 1)]
            let src = y * (stride + 1) + 1, dst = y * stride
            for x in 0..<stride {
                let a = x >= channels ? Int(pixels[dst + x - channels]) : 0
                let b = y > 0 ? Int(pixels[dst - stride + x]) : 0
                let c = x >= channels && y > 0 ? Int(pixels[dst - stride + x - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: throw Failure(description: "filter \(filter) on row \(y)")
                }
                pixels[dst + x] = UInt8(truncatingIfNeeded: Int(raw[src + x]) + predictor)
            }
        }
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        for p in 0..<(w * h) {
            for k in 0..<3 { rgb[p * 3 + k] = pixels[p * channels + (channels == 1 ? 0 : k)] }
        }
        width = w; height = h; self.rgb = rgb
    }

    public func pixel(_ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int) {
        let i = (y * width + x) * 3
        return (Int(rgb[i]), Int(rgb[i + 1]), Int(rgb[i + 2]))
    }
}
