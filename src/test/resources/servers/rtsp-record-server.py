#!/usr/bin/python3
"""A real RTSP server that takes RECORD (gst-rtsp-server), for restream tests. What a client
announces on /live is written as MPEG-TS: the video to OUT.video.ts, the audio to OUT.audio.ts
(one muxer per stream: one mpegtsmux for both live RTP streams wrote the audio only).

rtspclientsink announces its last-requested pad first, so a StreamSR restream with audio arrives
as stream 0 = AAC (MP4A-LATM), stream 1 = H.264.

Usage: rtsp-record-server.py PORT OUT  -- listens on 127.0.0.1:PORT, prints "ready".
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port, out = sys.argv[1], sys.argv[2]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
factory.set_launch(
    "( rtpmp4adepay name=depay0 ! aacparse ! queue ! mpegtsmux ! filesink location=%s.audio.ts"
    "  rtph264depay name=depay1 ! h264parse ! queue ! mpegtsmux ! filesink location=%s.video.ts )" % (out, out))
server.get_mount_points().add_factory("/live", factory)
server.attach(None)
print("ready", flush=True)
GLib.MainLoop().run()
