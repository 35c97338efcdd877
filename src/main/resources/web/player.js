// Plays the source and the upscaled rendition of one stream side by side with hls.js.
(function () {
  const select = document.getElementById('streams');
  const players = {};
  let current = new URLSearchParams(location.search).get('stream');

  function attach(videoId, url) {
    const video = document.getElementById(videoId);
    if (players[videoId]) { players[videoId].destroy(); delete players[videoId]; }
    if (window.Hls && Hls.isSupported()) {
      const hls = new Hls({ liveSyncDurationCount: 2, maxBufferLength: 10 });
      hls.loadSource(url);
      hls.attachMedia(video);
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
      hls.on(Hls.Events.ERROR, (e, data) => { if (data.fatal) { setTimeout(() => attach(videoId, url), 2000); } });
      players[videoId] = hls;
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
    }
  }

  function size(s) { return s ? '(' + s.width + '×' + s.height + ')' : ''; }

  function show(stream) {
    const state = document.getElementById('state');
    state.textContent = stream.state;
    state.className = 'state ' + stream.state;
    // Why a source is reconnecting or failed, from ingest's last report.
    state.title = stream.source && stream.source.error ? stream.source.error : '';
    const [n, d] = (stream.fps || '0/1').split('/').map(Number);
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
      select.value = current;
      show(stream);
      if (!players.upscaled && stream.output) { attach('upscaled', stream.playlist); }
      if (!players.source && stream.input) { attach('source', stream.sourcePlaylist); }
    }
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
