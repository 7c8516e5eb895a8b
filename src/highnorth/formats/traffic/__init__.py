"""Traffic archives: ADS-B and AIS positions in, tracks out (docs/replay.md).

- `positions`: the one positions table every reader produces (pyarrow), and the `ReadReport`
  that counts and names what could not be read (file and line)
- `adsb`: ADS-B JSON (traffic / OpenSky records, readsb `aircraft.json`), CSV and Parquet
- `ais`: AIS NMEA 0183 with tag blocks (pyais) and AIS CSV
- `tracks`: positions to tracks per aircraft or vessel, split on gaps and implausible jumps
- `identity`: transponder identity to actor (MMSI MID, ICAO address blocks, military callsigns)
"""
