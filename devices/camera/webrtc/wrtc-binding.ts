import { createRequire } from 'node:module';

/**
 * The slice of @roamhq/wrtc (node-webrtc) the WHIP endpoint uses, typed here so no vendor type
 * crosses into the rest of the driver. Only files in devices/camera/webrtc/ may use the library, and
 * it is loaded on first use: the native binary (~30 MB) stays out of processes that never open a
 * WHIP source (every CLI command imports the driver list).
 */
export interface SessionDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp: string;
}

export interface TrackLike {
  kind: string;
  stop(): void;
}

export interface PeerConnectionLike {
  setRemoteDescription(d: SessionDescription): Promise<void>;
  createAnswer(): Promise<SessionDescription>;
  createOffer(): Promise<SessionDescription>;
  setLocalDescription(d: SessionDescription): Promise<void>;
  readonly localDescription: SessionDescription | null;
  readonly iceGatheringState: string;
  readonly connectionState: string;
  addTransceiver(track: TrackLike, init: { direction: 'sendonly' | 'recvonly' }): unknown;
  addEventListener(type: 'icegatheringstatechange' | 'connectionstatechange', fn: () => void): void;
  addEventListener(type: 'track', fn: (e: { track: TrackLike }) => void): void;
  close(): void;
}

/** `nonstandard.RTCVideoSink`: `{ type: 'frame', frame: { width, height, rotation, data (packed I420) } }`, no timestamp. */
export interface VideoSinkLike {
  onframe: ((e: { frame: { width: number; height: number; rotation: number; data: Uint8Array } }) => void) | null;
  stop(): void;
}

export interface VideoSourceLike {
  createTrack(): TrackLike;
  onFrame(frame: { width: number; height: number; data: Uint8Array }): void;
}

interface WrtcModule {
  RTCPeerConnection: new (config?: { iceServers?: { urls: string | string[] }[] }) => PeerConnectionLike;
  nonstandard: {
    RTCVideoSink: new (track: TrackLike) => VideoSinkLike;
    RTCVideoSource: new () => VideoSourceLike;
  };
}

let loaded: WrtcModule | undefined;
function lib(): WrtcModule {
  loaded ??= createRequire(import.meta.url)('@roamhq/wrtc') as WrtcModule;
  return loaded;
}

export function createPeerConnection(iceServers: string[] = []): PeerConnectionLike {
  const { RTCPeerConnection } = lib();
  return new RTCPeerConnection({ iceServers: iceServers.map((urls) => ({ urls })) });
}

export function createVideoSink(track: TrackLike): VideoSinkLike {
  return new (lib().nonstandard.RTCVideoSink)(track);
}

/** A local video source (tests push frames through a real WebRTC peer with it). */
export function createVideoSource(): VideoSourceLike {
  return new (lib().nonstandard.RTCVideoSource)();
}
