/*
 * replay.h - the standalone replay main() of the fuzz targets.
 *
 * Included at the end of a target (fuzz_proto.c, fuzz_sql.c,
 * fuzz_session.c) when PGPIN_LIBFUZZER is not defined: runs
 * LLVMFuzzerTestOneInput() once on every file named on the command line
 * (directories are walked one level deep), or on stdin if none is named,
 * each input in an exactly-sized heap copy.  The target defines FUZZ_NAME
 * (for the summary line), includes check.h (CHECK(), dup_exact()), and may
 * define FUZZ_REPLAY_DONE() to clean up before the summary.
 */
#ifndef PGPIN_FUZZ_REPLAY_H
#define PGPIN_FUZZ_REPLAY_H

#include <dirent.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	CHECK(buf != NULL);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			CHECK(buf != NULL);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (bad) {
		fprintf(stderr, "%s: read error\n", path);
		free(buf);
		return -1;
	}
	/* Exactly sized, so ASan sees reads past the end of the input. */
	uint8_t *exact = dup_exact(buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int run_path(const char *path, int *count)
{
	struct stat sb;
	if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(path);
		if (!d) {
			perror(path);
			return -1;
		}
		int rc = 0;
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			size_t l = strlen(path) + strlen(e->d_name) + 2;
			char *sub = malloc(l);
			CHECK(sub != NULL);
			snprintf(sub, l, "%s/%s", path, e->d_name);
			if (stat(sub, &sb) == 0 && S_ISREG(sb.st_mode)) {
				if (run_file(sub) == 0)
					(*count)++;
				else
					rc = -1;
			}
			free(sub);
		}
		closedir(d);
		return rc;
	}
	if (run_file(path) != 0)
		return -1;
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	int count = 0, rc = 0;

	if (argc < 2) {
		rc = run_path("-", &count);
	} else {
		for (int i = 1; i < argc; i++)
			if (run_path(argv[i], &count) != 0)
				rc = 1;
	}
#ifdef FUZZ_REPLAY_DONE
	FUZZ_REPLAY_DONE();
#endif
	fprintf(stderr, FUZZ_NAME ": ran %d input(s)%s\n", count, rc ? " (some unreadable)" : "");
	return rc ? 1 : 0;
}

#endif
