"""Clips: short captioned videos of an episode's best moments (Reels, Shorts, TikTok, WhatsApp).

``select`` (times and quotes snapped to Whisper's words), ``captions`` (karaoke ASS, SRT, VTT), ``picture``
(the frame and the filtergraph), ``render`` (audio at -14 LUFS and the MP4, through the ffmpeg adapter),
``journal`` (clips remembered in ``episode.toml``), ``suggest`` (candidate moments), ``short`` (the YouTube
Short). ``cerdas clip`` and ``cerdas clips`` compose them (:mod:`cerdas.cli.clips`).
"""
