#!/usr/bin/python3
"""A real RTSP server (gst-rtsp-server) for ingest tests: H.264 video and AAC audio on 127.0.0.1.

Usage: rtsp-server.py MOUNT  -- prints "port N" once it listens on a free port.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
mount = sys.argv[1] if len(sys.argv) > 1 else "/cam"
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service("0")
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=120,framerate=25/1"
    " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay name=pay0 pt=96"
    " audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=1 ! audioconvert ! avenc_aac"
    " ! rtpmp4gpay name=pay1 pt=97 )")
factory.set_shared(True)
server.get_mount_points().add_factory(mount, factory)
server.attach(None)
print("port %d" % server.get_bound_port(), flush=True)
GLib.MainLoop().run()
