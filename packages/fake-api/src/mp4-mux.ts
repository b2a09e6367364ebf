/**
 * An H.264 clip in an MP4 file (ISO/IEC 14496-12 and -15): `ftyp`, then `moov` (one video track,
 * all samples in one chunk), then `mdat`, so the file plays while it downloads ("faststart").
 * Samples are the clip's NAL units with 4-byte lengths, as `avcC` declares.
 */
import type { H264Clip } from './h264.js';

const u8 = (n: number) => Buffer.from([n & 0xff]);
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const zeros = (n: number) => Buffer.alloc(n);

function box(type: string, ...parts: Buffer[]): Buffer {
  const payload = Buffer.concat(parts);
  return Buffer.concat([u32(8 + payload.length), Buffer.from(type, 'latin1'), payload]);
}

/** A "full box": version and flags first. */
const fullBox = (type: string, version: number, flags: number, ...parts: Buffer[]): Buffer =>
  box(type, u8(version), u8(flags >> 16), u16(flags & 0xffff), ...parts);

/** The identity matrix of `mvhd` and `tkhd` (16.16 and 2.30 fixed point). */
const MATRIX = Buffer.concat([0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map(u32));

export interface Mp4Options {
  width: number;
  height: number;
  framesPerSecond: number;
}

/** The MP4 bytes of `clip`, one sample per frame, each lasting 1 / framesPerSecond s. */
export function muxMp4(clip: H264Clip, o: Mp4Options): Buffer {
  const samples = clip.frames.map((nal) => Buffer.concat([u32(nal.length), Buffer.from(nal)]));
  const count = samples.length;
  const durationMs = Math.round((count * 1000) / o.framesPerSecond);
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isomiso2avc1mp41', 'latin1'));

  const avcC = box(
    'avcC',
    u8(1),
    u8(clip.sps[1]!),
    u8(clip.sps[2]!),
    u8(clip.sps[3]!),
    u8(0xff), // lengthSizeMinusOne = 3
    u8(0xe1), // one SPS
    u16(clip.sps.length),
    Buffer.from(clip.sps),
    u8(1), // one PPS
    u16(clip.pps.length),
    Buffer.from(clip.pps),
  );
  const compressor = zeros(32);
  compressor.write('scenario fake', 1, 'latin1');
  compressor[0] = 'scenario fake'.length;
  const avc1 = box(
    'avc1',
    zeros(6),
    u16(1), // data_reference_index
    zeros(16),
    u16(o.width),
    u16(o.height),
    u32(0x00480000), // 72 dpi
    u32(0x00480000),
    zeros(4),
    u16(1), // frame_count
    compressor,
    u16(0x18), // depth
    u16(0xffff), // pre_defined = -1
    avcC,
  );
  const stbl = (chunkOffset: number) =>
    box(
      'stbl',
      fullBox('stsd', 0, 0, u32(1), avc1),
      fullBox('stts', 0, 0, u32(1), u32(count), u32(1)),
      fullBox('stss', 0, 0, u32(clip.idrFrames.length), ...clip.idrFrames.map((i) => u32(i + 1))),
      fullBox('stsc', 0, 0, u32(1), u32(1), u32(count), u32(1)),
      fullBox('stsz', 0, 0, u32(0), u32(count), ...samples.map((s) => u32(s.length))),
      fullBox('stco', 0, 0, u32(1), u32(chunkOffset)),
    );
  const moov = (chunkOffset: number) =>
    box(
      'moov',
      fullBox(
        'mvhd',
        0,
        0,
        u32(0),
        u32(0),
        u32(1000),
        u32(durationMs),
        u32(0x00010000),
        u16(0x0100),
        zeros(10),
        MATRIX,
        zeros(24),
        u32(2),
      ),
      box(
        'trak',
        fullBox(
          'tkhd',
          0,
          3, // enabled, in movie
          u32(0),
          u32(0),
          u32(1), // track_ID
          zeros(4),
          u32(durationMs),
          zeros(8),
          u16(0),
          u16(0),
          u16(0),
          zeros(2),
          MATRIX,
          u32(o.width * 0x10000),
          u32(o.height * 0x10000),
        ),
        box(
          'mdia',
          fullBox('mdhd', 0, 0, u32(0), u32(0), u32(o.framesPerSecond), u32(count), u16(0x55c4), u16(0)),
          fullBox(
            'hdlr',
            0,
            0,
            u32(0),
            Buffer.from('vide', 'latin1'),
            zeros(12),
            Buffer.from('VideoHandler\0', 'latin1'),
          ),
          box(
            'minf',
            fullBox('vmhd', 0, 1, zeros(8)),
            box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
            stbl(chunkOffset),
          ),
        ),
      ),
    );
  // The chunk starts after ftyp, moov and mdat's header; moov's size does not depend on the offset.
  const offset = ftyp.length + moov(0).length + 8;
  return Buffer.concat([ftyp, moov(offset), box('mdat', ...samples)]);
}
