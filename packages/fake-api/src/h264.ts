/**
 * A tiny H.264 (Baseline profile, CAVLC) encoder for the fake's videos, in plain TypeScript so the
 * fake needs nothing installed. It makes one kind of clip, in one or more shots: a picture stored
 * as is (every macroblock `I_PCM`, so the picture is exact), then frames that each show that
 * picture moved by a field of motion vectors (one per 8×8 block, quarter-pixel, no residual). Those
 * frames refer to their shot's picture only (they are not reference frames themselves), so motion
 * never accumulates error: frame n is the picture seen through frame n's vectors. Players, browsers
 * and ffprobe decode it like any camera clip.
 *
 * What the bitstream holds (ITU-T H.264, the clause numbers are the spec's):
 * - SPS (7.3.2.1): Baseline, one reference frame, picture order count type 0 (non-reference frames
 *   may follow each other, which type 2 forbids), cropping to the exact size, VUI saying the frame
 *   rate and that no frame is reordered (so decoders output each frame at once).
 * - PPS (7.3.2.2): CAVLC, one reference index, QP 26, the deblocking filter left on (it softens the
 *   seams between macroblocks that move by different vectors).
 * - IDR slice (I, nal_ref_idc 3): `I_PCM` macroblocks: 256 luma then 64 + 64 chroma samples.
 * - P slices (nal_ref_idc 0): each macroblock `P_8x8` of four `P_L0_8x8` partitions, each vector
 *   coded against the median prediction of 8.4.1.3, coded block pattern 0.
 */

/** Bits into bytes, most significant bit first. */
class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private count = 0;

  bit(b: number): void {
    this.current = (this.current << 1) | (b & 1);
    if (++this.count === 8) {
      this.bytes.push(this.current);
      this.current = 0;
      this.count = 0;
    }
  }

  /** u(n): `value` in `n` bits (n ≤ 32). */
  u(n: number, value: number): void {
    for (let i = n - 1; i >= 0; i--) this.bit(Math.floor(value / 2 ** i) % 2);
  }

  /** ue(v): unsigned Exp-Golomb. */
  ue(value: number): void {
    const v = value + 1;
    const len = Math.floor(Math.log2(v));
    for (let i = 0; i < len; i++) this.bit(0);
    this.u(len + 1, v);
  }

  /** se(v): signed Exp-Golomb (positive k → 2k − 1, negative k → −2k). */
  se(value: number): void {
    this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  get aligned(): boolean {
    return this.count === 0;
  }

  /** Whole bytes (only when aligned). */
  raw(data: Uint8Array): void {
    if (!this.aligned) throw new Error('raw bytes need byte alignment');
    for (const b of data) this.bytes.push(b);
  }

  /** rbsp_trailing_bits: a stop bit, then zeros to the byte boundary. */
  trailing(): void {
    this.bit(1);
    while (!this.aligned) this.bit(0);
  }

  toBytes(): Uint8Array {
    if (!this.aligned) throw new Error('unaligned RBSP');
    return Uint8Array.from(this.bytes);
  }
}

/** A NAL unit's payload with emulation prevention (7.4.1): no 00 00 0x (x ≤ 3) inside it. */
const nalUnit = (refIdc: number, type: number, rbsp: Uint8Array): Uint8Array => {
  const out: number[] = [(refIdc << 5) | type];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
};

export interface H264Clip {
  /** Sequence and picture parameter sets, as NAL units (for the MP4's `avcC`). */
  sps: Uint8Array;
  pps: Uint8Array;
  /** One NAL unit per frame, in decoding (= display) order; the first is an IDR. */
  frames: Uint8Array[];
  /** Indexes of the IDR frames (where a player can start: the MP4's sync samples). */
  idrFrames: number[];
}

/** The picture in 4:2:0: planes sized to whole macroblocks (`mbWidth × 16` by `mbHeight × 16`). */
export interface Yuv420 {
  mbWidth: number;
  mbHeight: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

/** A motion vector in quarter pixels for the 8×8 block at (col, row) (pixels col × 8, row × 8). */
export type MotionField = (col: number, row: number) => readonly [number, number];

/** A shot: a picture shown first as is (an IDR), then once per motion field, moved by it. */
export interface Shot {
  picture: Yuv420;
  motion: MotionField[];
}

export interface EncodeOptions {
  /** The visible size (≤ the macroblock-aligned planes; the rest is cropped away). */
  width: number;
  height: number;
  framesPerSecond: number;
}

const LOG2_MAX_FRAME_NUM = 4;
/** Picture order counts up to 2 × frames must stay under half of 2^12: at most 1023 frames. */
const LOG2_MAX_POC_LSB = 12;
export const MAX_FRAMES = 1023;

const sps = (o: EncodeOptions, mbWidth: number, mbHeight: number): Uint8Array => {
  const w = new BitWriter();
  w.u(8, 66); // profile_idc: Baseline
  w.u(8, 0b11000000); // constraint_set0 and set1: decodable by Baseline and Main decoders
  w.u(8, 30); // level_idc 3.0
  w.ue(0); // seq_parameter_set_id
  w.ue(LOG2_MAX_FRAME_NUM - 4);
  w.ue(0); // pic_order_cnt_type
  w.ue(LOG2_MAX_POC_LSB - 4);
  w.ue(1); // max_num_ref_frames
  w.u(1, 0); // gaps_in_frame_num_value_allowed_flag
  w.ue(mbWidth - 1);
  w.ue(mbHeight - 1);
  w.u(1, 1); // frame_mbs_only_flag
  w.u(1, 1); // direct_8x8_inference_flag
  const cropRight = (mbWidth * 16 - o.width) / 2;
  const cropBottom = (mbHeight * 16 - o.height) / 2;
  const crop = cropRight > 0 || cropBottom > 0;
  w.u(1, crop ? 1 : 0);
  if (crop) {
    w.ue(0);
    w.ue(cropRight);
    w.ue(0);
    w.ue(cropBottom);
  }
  w.u(1, 1); // vui_parameters_present_flag
  w.u(1, 0); // aspect_ratio_info_present_flag
  w.u(1, 0); // overscan_info_present_flag
  w.u(1, 0); // video_signal_type_present_flag
  w.u(1, 0); // chroma_loc_info_present_flag
  w.u(1, 1); // timing_info_present_flag
  w.u(32, 1); // num_units_in_tick
  w.u(32, 2 * o.framesPerSecond); // time_scale (two ticks per frame)
  w.u(1, 1); // fixed_frame_rate_flag
  w.u(1, 0); // nal_hrd_parameters_present_flag
  w.u(1, 0); // vcl_hrd_parameters_present_flag
  w.u(1, 0); // pic_struct_present_flag
  w.u(1, 1); // bitstream_restriction_flag
  w.u(1, 1); // motion_vectors_over_pic_boundaries_flag
  w.ue(0); // max_bytes_per_pic_denom
  w.ue(0); // max_bits_per_mb_denom
  w.ue(16); // log2_max_mv_length_horizontal
  w.ue(16); // log2_max_mv_length_vertical
  w.ue(0); // max_num_reorder_frames
  w.ue(1); // max_dec_frame_buffering
  w.trailing();
  return nalUnit(3, 7, w.toBytes());
};

const pps = (): Uint8Array => {
  const w = new BitWriter();
  w.ue(0); // pic_parameter_set_id
  w.ue(0); // seq_parameter_set_id
  w.u(1, 0); // entropy_coding_mode_flag: CAVLC
  w.u(1, 0); // bottom_field_pic_order_in_frame_present_flag
  w.ue(0); // num_slice_groups_minus1
  w.ue(0); // num_ref_idx_l0_default_active_minus1
  w.ue(0); // num_ref_idx_l1_default_active_minus1
  w.u(1, 0); // weighted_pred_flag
  w.u(2, 0); // weighted_bipred_idc
  w.se(0); // pic_init_qp_minus26
  w.se(0); // pic_init_qs_minus26
  w.se(0); // chroma_qp_index_offset
  w.u(1, 0); // deblocking_filter_control_present_flag
  w.u(1, 0); // constrained_intra_pred_flag
  w.u(1, 0); // redundant_pic_cnt_present_flag
  w.trailing();
  return nalUnit(3, 8, w.toBytes());
};

/** PCM samples of 0 were forbidden by early editions of the standard: keep them in 1…255. */
const pcm = (v: number): number => (v < 1 ? 1 : v);

const idrSlice = (pic: Yuv420, idrPicId: number): Uint8Array => {
  const w = new BitWriter();
  w.ue(0); // first_mb_in_slice
  w.ue(7); // slice_type: I (all slices of the picture)
  w.ue(0); // pic_parameter_set_id
  w.u(LOG2_MAX_FRAME_NUM, 0); // frame_num
  w.ue(idrPicId); // idr_pic_id (two IDRs in a row must differ)
  w.u(LOG2_MAX_POC_LSB, 0); // pic_order_cnt_lsb
  w.u(1, 0); // no_output_of_prior_pics_flag
  w.u(1, 0); // long_term_reference_flag
  w.se(0); // slice_qp_delta
  const lumaStride = pic.mbWidth * 16;
  const chromaStride = pic.mbWidth * 8;
  const block = new Uint8Array(384);
  for (let mbY = 0; mbY < pic.mbHeight; mbY++) {
    for (let mbX = 0; mbX < pic.mbWidth; mbX++) {
      w.ue(25); // mb_type: I_PCM
      while (!w.aligned) w.bit(0); // pcm_alignment_zero_bit
      let n = 0;
      for (let y = 0; y < 16; y++) {
        const row = (mbY * 16 + y) * lumaStride + mbX * 16;
        for (let x = 0; x < 16; x++) block[n++] = pcm(pic.y[row + x]!);
      }
      for (const plane of [pic.u, pic.v]) {
        for (let y = 0; y < 8; y++) {
          const row = (mbY * 8 + y) * chromaStride + mbX * 8;
          for (let x = 0; x < 8; x++) block[n++] = pcm(plane[row + x]!);
        }
      }
      w.raw(block);
    }
  }
  w.trailing();
  return nalUnit(3, 5, w.toBytes());
};

const median = (a: number, b: number, c: number): number => Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));

/**
 * Motion vectors of the 8×8 blocks coded so far in a P slice, for prediction (8.4.1.3): a block
 * not yet coded, or outside the picture, is "not available".
 */
class MvGrid {
  private readonly mvs: Array<readonly [number, number] | undefined>;

  constructor(
    private readonly cols: number,
    private readonly rows: number,
  ) {
    this.mvs = new Array<readonly [number, number] | undefined>(cols * rows);
  }

  get(col: number, row: number): readonly [number, number] | undefined {
    return col >= 0 && row >= 0 && col < this.cols && row < this.rows ? this.mvs[row * this.cols + col] : undefined;
  }

  set(col: number, row: number, mv: readonly [number, number]): void {
    this.mvs[row * this.cols + col] = mv;
  }

  /**
   * The predictor of the 8×8 partition at block (col, row), every coded block being inter with
   * reference index 0: neighbours A (left), B (above), C (above right, else D above left); an
   * unavailable one counts as reference index −1 with vector 0. When B and C are both unavailable
   * and A is not, A stands for all three; when exactly one has reference index 0, it is the
   * prediction; otherwise the median of each component.
   */
  predict(col: number, row: number): readonly [number, number] {
    const a = this.get(col - 1, row);
    let b = this.get(col, row - 1);
    let c = this.get(col + 1, row - 1) ?? this.get(col - 1, row - 1);
    if (b === undefined && c === undefined && a !== undefined) {
      b = a;
      c = a;
    }
    const present = [a, b, c].filter((n) => n !== undefined);
    if (present.length === 1) return present[0]!;
    const [x, y, z] = [a ?? ZERO, b ?? ZERO, c ?? ZERO];
    return [median(x[0], y[0], z[0]), median(x[1], y[1], z[1])];
  }
}

const ZERO = [0, 0] as const;

const pSlice = (pic: { mbWidth: number; mbHeight: number }, frameIndex: number, motion: MotionField): Uint8Array => {
  const w = new BitWriter();
  w.ue(0); // first_mb_in_slice
  w.ue(5); // slice_type: P (all slices of the picture)
  w.ue(0); // pic_parameter_set_id
  w.u(LOG2_MAX_FRAME_NUM, 1); // frame_num: the IDR's + 1 (these frames are not references)
  w.u(LOG2_MAX_POC_LSB, (2 * frameIndex) % 2 ** LOG2_MAX_POC_LSB); // pic_order_cnt_lsb
  w.u(1, 0); // num_ref_idx_active_override_flag
  w.u(1, 0); // ref_pic_list_modification_flag_l0
  w.se(0); // slice_qp_delta
  const grid = new MvGrid(pic.mbWidth * 2, pic.mbHeight * 2);
  for (let mbY = 0; mbY < pic.mbHeight; mbY++) {
    for (let mbX = 0; mbX < pic.mbWidth; mbX++) {
      w.ue(0); // mb_skip_run
      w.ue(3); // mb_type: P_8x8 (four 8×8 partitions: half the seam of one vector per macroblock)
      for (let i = 0; i < 4; i++) w.ue(0); // sub_mb_type: P_L0_8x8
      // The partitions in decoding order: top left, top right, bottom left, bottom right.
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const col = mbX * 2 + dx;
        const row = mbY * 2 + dy;
        const mv = motion(col, row);
        const p = grid.predict(col, row);
        grid.set(col, row, mv);
        w.se(mv[0] - p[0]); // mvd_l0 x
        w.se(mv[1] - p[1]); // mvd_l0 y
      }
      w.ue(0); // coded_block_pattern: inter, 0 (codeNum 0, Table 9-4)
    }
  }
  w.trailing();
  return nalUnit(0, 1, w.toBytes());
};

/**
 * The clip: each shot's picture as an IDR, then its moved frames (which refer to that IDR only).
 * Every picture has the same macroblock size; the frame count is at most `MAX_FRAMES`.
 */
export function encodeClip(shots: Shot[], options: EncodeOptions): H264Clip {
  const count = shots.reduce((n, shot) => n + 1 + shot.motion.length, 0);
  if (shots.length === 0 || count > MAX_FRAMES) throw new Error(`1 to ${MAX_FRAMES} frames`);
  if (options.width % 2 !== 0 || options.height % 2 !== 0) throw new Error('the size must be even (4:2:0)');
  const { mbWidth, mbHeight } = shots[0]!.picture;
  const frames: Uint8Array[] = [];
  const idrFrames: number[] = [];
  shots.forEach((shot, n) => {
    if (shot.picture.mbWidth !== mbWidth || shot.picture.mbHeight !== mbHeight) throw new Error('shots differ in size');
    idrFrames.push(frames.length);
    frames.push(idrSlice(shot.picture, n % 2));
    shot.motion.forEach((field, i) => frames.push(pSlice(shot.picture, i + 1, field)));
  });
  return { sps: sps(options, mbWidth, mbHeight), pps: pps(), frames, idrFrames };
}
