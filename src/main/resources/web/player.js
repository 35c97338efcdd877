// Plays the source and the upscaled rendition of one stream side by side, over WebRTC or HLS.
(function () {
  const select = document.getElementById('streams');
  const players = {};
  // For a look from the console (and the browser tests): the current player of each pane, WebRTC or hls.js.
  window.streamsrPlayers = players;
  let current = new URLSearchParams(location.search).get('stream');

  // WebRTC (WHEP) when the server and browser can: a fraction of a second behind the camera,
  // where HLS is seconds. ?transport=hls skips it; any failure falls back to HLS.
  const transport = new URLSearchParams(location.search).get('transport');

  function attach(videoId, stream) {
    const hlsUrl = videoId === 'upscaled' ? stream.playlist : stream.sourcePlaylist;
    const whepUrl = '/streams/' + encodeURIComponent(stream.id) + (videoId === 'upscaled' ? '' : '/source') + '/whep';
    if (players[videoId]) { players[videoId].destroy(); delete players[videoId]; }
    if (transport !== 'hls' && window.RTCPeerConnection) {
      players[videoId] = { destroy() {}, kind: 'connecting' };
      whep(videoId, whepUrl).then(p => {
        if (players[videoId] && players[videoId].kind === 'connecting') { players[videoId] = p; caption(videoId, 'WebRTC'); } else { p.destroy(); }
      }).catch(e => {
        console.log('WebRTC unavailable for ' + videoId + ' (' + e.message + '): HLS');
        if (players[videoId] && players[videoId].kind !== 'hls') { hls(videoId, hlsUrl); }
      });
    } else {
      hls(videoId, hlsUrl);
    }
  }

  function caption(videoId, text) {
    document.getElementById(videoId === 'upscaled' ? 'sr-transport' : 'source-transport').textContent = text;
  }

  function hls(videoId, url) {
    const video = document.getElementById(videoId);
    if (players[videoId]) { players[videoId].destroy(); delete players[videoId]; }
    video.srcObject = null;
    caption(videoId, 'HLS');
    if (window.Hls && Hls.isSupported()) {
      const h = new Hls({ liveSyncDurationCount: 2, maxBufferLength: 10 });
      h.kind = 'hls';
      h.loadSource(url);
      h.attachMedia(video);
      h.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
      h.on(Hls.Events.ERROR, (e, data) => { if (data.fatal) { setTimeout(() => hls(videoId, url), 2000); } });
      players[videoId] = h;
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
    }
  }

  // WHEP without trickle: the offer goes out with the browser's candidates, the answer comes back
  // with the server's. A session that fails or shows nothing for 8 s gives way to HLS.
  async function whep(videoId, url) {
    const video = document.getElementById(videoId);
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    if (videoId === 'upscaled') { pc.addTransceiver('audio', { direction: 'recvonly' }); }
    const media = new MediaStream();
    pc.ontrack = e => { media.addTrack(e.track); video.srcObject = media; video.play().catch(() => {}); };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise(resolve => {
      if (pc.iceGatheringState === 'complete') { return resolve(); }
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { resolve(); } });
      // Host candidates come in milliseconds; whatever is still gathering later is not needed on a LAN.
      setTimeout(resolve, 300);
    });
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    if (r.status !== 201) { pc.close(); throw new Error('HTTP ' + r.status); }
    const session = new URL(r.headers.get('Location'), location.href).href;
    await pc.setRemoteDescription({ type: 'answer', sdp: await r.text() });
    const player = { kind: 'webrtc', pc, session, destroy() { pc.close(); fetch(session, { method: 'DELETE', keepalive: true }).catch(() => {}); } };
    const fallback = () => {
      if (players[videoId] === player) { player.destroy(); delete players[videoId]; hls(videoId, hlsOf(videoId)); }
    };
    pc.addEventListener('connectionstatechange', () => { if (pc.connectionState === 'failed') { fallback(); } });
    setTimeout(() => { if (!video.videoWidth) { fallback(); } }, 8000);
    return player;
  }

  // Leaving the page ends its sessions at once, rather than when the server notices the browser is gone.
  window.addEventListener('pagehide', () => Object.values(players).forEach(p => p.destroy()));

  let lastStream = null;
  function hlsOf(videoId) { return videoId === 'upscaled' ? lastStream.playlist : lastStream.sourcePlaylist; }

  function size(s) { return s ? '(' + s.width + '×' + s.height + ')' : ''; }

  function show(stream) {
    const state = document.getElementById('state');
    state.textContent = stream.state;
    state.className = 'state ' + stream.state;
    // Why a source is reconnecting or failed, from ingest's last report.
    state.title = stream.source && stream.source.error ? stream.source.error : '';
    const [n, d] = (stream.fps || '0/1').split('/').map(Number);
    if (n > 0 && d > 0) { frameMs = 1000 * d / n; }
    document.getElementById('info').textContent = (d ? (n / d).toFixed(2).replace(/\.?0+$/, '') : '?') + ' fps, ' + stream.frames + ' frames';
    document.getElementById('source-size').textContent = size(stream.input);
    document.getElementById('sr-size').textContent = size(stream.output);
  }

  async function refresh() {
    let streams = [];
    try { streams = await (await fetch('/streams')).json(); } catch (e) { return; }
    const message = document.getElementById('message');
    message.hidden = streams.length > 0;
    message.textContent = 'No streams yet: the first segments appear a few seconds after a stream starts.';
    const ids = streams.map(s => s.id);
    if (select.options.length !== ids.length || ids.some((id, i) => select.options[i].value !== id)) {
      select.innerHTML = '';
      ids.forEach(id => select.add(new Option(id, id)));
    }
    if (!current && ids.length) { current = ids[0]; }
    const stream = streams.find(s => s.id === current);
    if (stream) {
      lastStream = stream;
      select.value = current;
      show(stream);
      if (!players.upscaled && stream.output) { attach('upscaled', stream); }
      if (!players.source && stream.input) { attach('source', stream); }
    }
  }

  // Both renditions carry each segment's ingest time (#EXT-X-PROGRAM-DATE-TIME), so the two panes
  // can show the same source moment: the one ahead (usually the source, which skips the upscaler)
  // is held back, by a seek when far apart and by playing slower when close, to within one frame.
  let frameMs = 100;
  function align() {
    const up = players.upscaled, src = players.source;
    const upVideo = document.getElementById('upscaled'), srcVideo = document.getElementById('source');
    const a = up && up.playingDate, b = src && src.playingDate;
    const sync = document.getElementById('sync');
    if (!a || !b || upVideo.paused || srcVideo.paused) { sync.textContent = ''; window.streamsrPanesApartMs = null; return; }
    const apart = b.getTime() - a.getTime(); // > 0: the source pane is ahead
    window.streamsrPanesApartMs = apart;
    sync.textContent = Math.abs(apart) <= frameMs ? 'panes in step' : 'panes ' + Math.round(Math.abs(apart)) + ' ms apart';
    const ahead = apart > 0 ? srcVideo : upVideo, behind = apart > 0 ? upVideo : srcVideo;
    behind.playbackRate = 1;
    if (Math.abs(apart) > 1000) {
      ahead.currentTime = Math.max(0, ahead.currentTime - Math.abs(apart) / 1000);
      ahead.playbackRate = 1;
    } else if (Math.abs(apart) > frameMs / 2) {
      ahead.playbackRate = 0.8;
    } else {
      ahead.playbackRate = 1;
    }
  }
  setInterval(align, 250);

  // Wipe: the upscaled pane over the source pane, cut at the slider, so one frame shows both.
  const main = document.querySelector('main');
  const wipeToggle = document.getElementById('wipe-toggle'), wipeSlider = document.getElementById('wipe-slider');
  wipeToggle.addEventListener('click', () => {
    const on = !main.classList.contains('wipe');
    main.classList.toggle('wipe', on);
    wipeToggle.setAttribute('aria-pressed', String(on));
    wipeSlider.hidden = !on;
  });
  wipeSlider.addEventListener('input', () => main.style.setProperty('--wipe', wipeSlider.value + '%'));

  // Magnifier: the same region of both renditions, enlarged, drawn without smoothing so the pixels the
  // upscaler made are what one sees (the browser would otherwise blur both alike).
  const magnifier = document.getElementById('magnifier'), magnifierToggle = document.getElementById('magnifier-toggle');
  const zoom = { x: 0.5, y: 0.5 };
  function track(event) {
    const r = event.target.getBoundingClientRect();
    zoom.x = (event.clientX - r.left) / r.width;
    zoom.y = (event.clientY - r.top) / r.height;
  }
  ['source', 'upscaled'].forEach(id => document.getElementById(id).addEventListener('mousemove', track));
  function magnify() {
    if (!magnifier.classList.contains('on')) { return; }
    const g = magnifier.getContext('2d');
    g.imageSmoothingEnabled = false;
    const half = magnifier.width / 2;
    [['source', 0], ['upscaled', half]].forEach(([id, x]) => {
      const v = document.getElementById(id);
      if (!v.videoWidth) { return; }
      // The same part of the scene from both: 15% of the frame's width, whatever each rendition's resolution.
      const w = v.videoWidth * 0.15, h = w * magnifier.height / half;
      const sx = Math.min(Math.max(0, zoom.x * v.videoWidth - w / 2), v.videoWidth - w);
      const sy = Math.min(Math.max(0, zoom.y * v.videoHeight - h / 2), v.videoHeight - h);
      g.drawImage(v, sx, sy, w, h, x, 0, half, magnifier.height);
    });
    requestAnimationFrame(magnify);
  }
  magnifierToggle.addEventListener('click', () => {
    const on = !magnifier.classList.contains('on');
    magnifier.classList.toggle('on', on);
    magnifierToggle.setAttribute('aria-pressed', String(on));
    if (on) { requestAnimationFrame(magnify); }
  });

  // Region: drag a rectangle on the source pane and only that part of the camera is upscaled. The
  // source pane shows the stream's current region, so the new one is taken inside it; "Whole
  // picture" starts again from all of it. Needs the API token (PATCH /api/streams/{id}).
  const regionToggle = document.getElementById('region-toggle'), token = document.getElementById('token');
  const regionReset = document.getElementById('region-reset'), regionStatus = document.getElementById('region-status');
  const box = document.getElementById('region-box'), sourceVideo = document.getElementById('source');
  let drag = null;
  regionToggle.addEventListener('click', () => {
    const on = !main.classList.contains('region-mode');
    main.classList.toggle('region-mode', on);
    regionToggle.setAttribute('aria-pressed', String(on));
    token.hidden = regionReset.hidden = !on;
    box.style.display = 'none';
  });
  // Where the picture is inside the element (object-fit: contain leaves bars), in element pixels.
  function picture() {
    const r = sourceVideo.getBoundingClientRect(), vw = sourceVideo.videoWidth || 4, vh = sourceVideo.videoHeight || 3;
    const scale = Math.min(r.width / vw, r.height / vh);
    return { left: r.left + (r.width - vw * scale) / 2, top: r.top + (r.height - vh * scale) / 2, width: vw * scale, height: vh * scale, r };
  }
  function clamp(v) { return Math.min(1, Math.max(0, v)); }
  sourceVideo.addEventListener('mousedown', e => {
    if (!main.classList.contains('region-mode')) { return; }
    e.preventDefault();
    const p = picture();
    drag = { p, x0: clamp((e.clientX - p.left) / p.width), y0: clamp((e.clientY - p.top) / p.height) };
  });
  window.addEventListener('mousemove', e => {
    if (!drag) { return; }
    const p = drag.p, x1 = clamp((e.clientX - p.left) / p.width), y1 = clamp((e.clientY - p.top) / p.height);
    drag.x1 = x1; drag.y1 = y1;
    Object.assign(box.style, { display: 'block', left: (p.left - p.r.left + Math.min(drag.x0, x1) * p.width) + 'px',
      top: (p.top - p.r.top + Math.min(drag.y0, y1) * p.height) + 'px',
      width: Math.abs(x1 - drag.x0) * p.width + 'px', height: Math.abs(y1 - drag.y0) * p.height + 'px' });
  });
  window.addEventListener('mouseup', async () => {
    if (!drag || drag.x1 === undefined) { drag = null; return; }
    const d = drag;
    drag = null;
    const inner = { x: Math.min(d.x0, d.x1), y: Math.min(d.y0, d.y1), w: Math.abs(d.x1 - d.x0), h: Math.abs(d.y1 - d.y0) };
    let outer = { x: 0, y: 0, w: 1, h: 1 };
    try {
      const spec = await (await fetch('/api/streams/' + encodeURIComponent(current), { headers: auth() })).json();
      if (spec.region) { const [x, y, w, h] = spec.region.split(',').map(Number); outer = { x, y, w, h }; }
    } catch (e) { /* no region yet */ }
    const f = v => Math.round(v * 10000) / 10000;
    await setRegion([f(outer.x + inner.x * outer.w), f(outer.y + inner.y * outer.h), f(inner.w * outer.w), f(inner.h * outer.h)].join(','));
  });
  regionReset.addEventListener('click', () => setRegion(null));
  function auth() { return token.value ? { 'Authorization': 'Bearer ' + token.value } : {}; }
  async function setRegion(region) {
    const r = await fetch('/api/streams/' + encodeURIComponent(current), { method: 'PATCH',
      headers: Object.assign({ 'Content-Type': 'application/json' }, auth()), body: JSON.stringify({ region }) });
    const body = await r.json().catch(() => ({}));
    regionStatus.textContent = r.ok ? (region ? 'region ' + region : 'whole picture') : (body.error || ('HTTP ' + r.status));
    regionStatus.dataset.region = r.ok ? (region || '') : '';
    setTimeout(() => { box.style.display = 'none'; }, 1500);
  }

  select.addEventListener('change', () => {
    current = select.value;
    Object.keys(players).forEach(k => { players[k].destroy(); delete players[k]; });
    history.replaceState(null, '', '?stream=' + encodeURIComponent(current));
    refresh();
  });
  refresh();
  setInterval(refresh, 2000);
})();
