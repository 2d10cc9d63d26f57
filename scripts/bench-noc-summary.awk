# Summary of docs/noc-bench.csv (scripts/bench-noc.sh; docs/noc.md).
# Saturation, read two ways: the knee, the highest offered load that the mesh
# accepts within 5% with an average latency of at most 3x the zero-load
# latency; and, for uniform traffic, the accepted throughput averaged over the
# loads past the knee (BookSim's saturation throughput). For transpose that
# average would count the flows the hot links do not slow down, so only the
# knee is reported.
BEGIN { FS = "," }
NR > 1 {
	key = $1 " " $2
	n[key]++; off[key, n[key]] = $3; acc[key, n[key]] = $4; lat[key, n[key]] = $5
	bound[key] = $8; speed[key] += $9
}
END {
	for (key in n) {
		split(key, kk, " "); split(kk[1], d, "x")
		zero = lat[key, 1]
		knee = 0
		for (i = 1; i <= n[key]; i++)
			if (acc[key, i] >= 0.95 * off[key, i] && lat[key, i] <= 3 * zero && off[key, i] > knee)
				knee = off[key, i]
		past = 0; np = 0
		for (i = 1; i <= n[key]; i++)
			if (off[key, i] > knee) { past += acc[key, i]; np++ }
		printf "bench-noc: %s %s: knee %.3f flits/node/cycle = %.0f%% of the ideal %.3f", kk[1], kk[2], knee, 100 * knee / bound[key], bound[key]
		if (kk[2] == "uniform") {
			printf " (%.0f%% of 4/k = %.3f)", 100 * knee / (4 / d[1]), 4 / d[1]
			if (np) printf "; saturation throughput %.3f = %.0f%% of 4/k", past / np, 100 * past / np / (4 / d[1])
		}
		printf "; zero-load latency %.1f cycles; simulation %.0f cycles/s\n", zero, speed[key] / n[key]
	}
}
