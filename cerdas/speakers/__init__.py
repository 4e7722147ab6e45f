"""Who said what: speaker turns found offline (a diarization engine, or which track of a multitrack recording is
active), named by ``--speaker``, by voice profiles in ``voices/`` or as "Pembicara N"."""
