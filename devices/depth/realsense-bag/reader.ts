import type { DepthFrame, ImageFrame } from '../../../src/core/sample.ts';
import { DecodeError } from '../../../src/core/errors.ts';
import { readRosBag, type RosBag } from '../../formats/ros1-bag.ts';
import { readCameraInfoK, readFloat32, readImage, readKeyValue } from '../../formats/ros1-message.ts';
import { readU16Image } from '../../formats/u16-image.ts';

/**
 * A RealSense recording (librealsense's recorder: a ROS 1 bag in the "RealSense rosbag" layout,
 * librealsense `src/media/ros/ros_file_format.h`): streams at
 * `/device_<d>/sensor_<s>/<Stream>_<i>/image/data` (sensor_msgs/Image; depth is `mono16` = Z16
 * little-endian), per-frame metadata at `…/image/metadata` (diagnostic_msgs/KeyValue, one message per
 * key, written with the frame's bag time), options at `…/option/<Name>/value` (std_msgs/Float32;
 * "Depth Units" is metres per unit) and intrinsics at `…/info/camera_info`.
 */
export interface RealSenseDepthFrame {
  frame: DepthFrame;
  /** `header.stamp` (device clock in the timestamp domain the metadata names; µs resolution). */
  stampNs: bigint;
  /** Bag record time, ns since the recording started. */
  bagTimeNs: bigint;
  /** Frame metadata (Frame Counter, Frame Timestamp, Time Of Arrival, …) as recorded. */
  metadata: Record<string, string>;
}

export interface RealSenseRecording {
  device: Record<string, string>;
  depthUnitM: number;
  depth: RealSenseDepthFrame[];
  /** rgb8 colour frames, when the recording has them. */
  color: { frame: ImageFrame; stampNs: bigint; bagTimeNs: bigint }[];
  depthIntrinsics?: { fx: number; fy: number; cx: number; cy: number; model: string };
}

const DEPTH_DATA = /^\/device_\d+\/sensor_\d+\/Depth_\d+\/image\/data$/;
const DEPTH_META = /^\/device_\d+\/sensor_\d+\/Depth_\d+\/image\/metadata$/;
const COLOR_DATA = /^\/device_\d+\/sensor_\d+\/Color_\d+\/image\/data$/;
const DEPTH_INFO = /^\/device_\d+\/sensor_\d+\/Depth_\d+\/info\/camera_info$/;
const DEPTH_UNITS = /\/option\/Depth Units\/value$/;
const DEVICE_INFO = /^\/device_\d+\/info$/;

export function readRealSenseBag(bytes: Uint8Array): RealSenseRecording {
  const bag = readRosBag(bytes);
  return fromBag(bag);
}

function fromBag(bag: RosBag): RealSenseRecording {
  const rec: RealSenseRecording = { device: {}, depthUnitM: 0.001, depth: [], color: [] };
  const metaByTime = new Map<bigint, Record<string, string>>();
  for (const m of bag.messages) {
    const topic = bag.connections.get(m.conn)?.topic ?? '';
    try {
      if (DEPTH_META.test(topic)) {
        const kv = readKeyValue(m.data);
        const slot = metaByTime.get(m.timeNs) ?? {};
        slot[kv.key] = kv.value;
        metaByTime.set(m.timeNs, slot);
      } else if (DEVICE_INFO.test(topic)) {
        const kv = readKeyValue(m.data);
        rec.device[kv.key] = kv.value;
      } else if (DEPTH_UNITS.test(topic) && topic.includes('/sensor_0/')) {
        const v = readFloat32(m.data);
        if (v > 0 && Number.isFinite(v)) rec.depthUnitM = v;
      } else if (DEPTH_INFO.test(topic)) {
        const ci = readCameraInfoK(m.data);
        rec.depthIntrinsics = { fx: ci.k[0]!, fy: ci.k[4]!, cx: ci.k[2]!, cy: ci.k[5]!, model: ci.model };
      } else if (DEPTH_DATA.test(topic)) {
        const im = readImage(m.data);
        if (im.encoding !== 'mono16' && im.encoding !== '16UC1') throw new DecodeError(`RealSense depth encoding ${im.encoding} (expected mono16)`, { code: 'E_REALSENSE' });
        if (im.step < im.width * 2 || im.data.length < im.step * im.height) throw new DecodeError('RealSense depth frame shorter than step × height', { code: 'E_REALSENSE' });
        // Z16 is little-endian (V4L2_PIX_FMT_Z16); honour is_bigendian anyway, and strip row padding.
        const data = readU16Image(im.data, im.width, im.height, im.step, !im.isBigEndian);
        rec.depth.push({ frame: { width: im.width, height: im.height, unitM: 0, data }, stampNs: im.stampNs, bagTimeNs: m.timeNs, metadata: {} });
      } else if (COLOR_DATA.test(topic)) {
        const im = readImage(m.data);
        if (im.encoding === 'rgb8' && im.step === im.width * 3) rec.color.push({ frame: { width: im.width, height: im.height, format: 'rgb24', data: new Uint8Array(im.data) }, stampNs: im.stampNs, bagTimeNs: m.timeNs });
      }
    } catch (err) {
      if (err instanceof DecodeError) throw err;
      throw new DecodeError(`RealSense bag: unreadable message on ${topic}`, { code: 'E_REALSENSE', cause: err });
    }
  }
  for (const d of rec.depth) {
    d.frame.unitM = rec.depthUnitM;
    d.metadata = metaByTime.get(d.bagTimeNs) ?? {};
  }
  return rec;
}
