// SPDX-License-Identifier: GPL-2.0-or-later
#include <argp.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "lib/util.h"

const char *argp_program_version = PACKAGE_NAME " " PACKAGE_VERSION;
const char *argp_program_bug_address = NULL;

static int run_help(int argc, char **argv);

static const struct vn_verb verb_help = {
	.name = "help",
	.summary = "this help, or a command's: help COMMAND",
	.run = run_help,
};

/* Verbs appear here as they are built; --help lists exactly these. */
/* clang-format off */
static const struct vn_verb *const verbs[] = {
	&vn_verb_status,
	&vn_verb_list,
	&vn_verb_bind,
	&vn_verb_unbind,
	&vn_verb_noiommu,
	&vn_verb_taint,
	&vn_verb_smoke_test,
	&vn_verb_apply,
	&vn_verb_report,
	&vn_verb_metrics,
	&vn_verb_udev_match,
	&verb_help,
};
/* clang-format on */

struct main_state {
	int verb_index; /* argv index of the verb, 0 when none */
};

static const struct vn_verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i]->name, name))
			return verbs[i];
	return NULL;
}

static error_t parse_main(int key, char *arg, struct argp_state *state)
{
	struct main_state *ms = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		/* The first word is the verb; the rest is the verb's. */
		ms->verb_index = state->next - 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!ms->verb_index)
			argp_error(state, "no command given");
		break;
	default:
		(void)arg;
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static char *help_filter(int key, const char *text, void *input)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Commands:\n", f);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-12s %s\n", verbs[i]->name, verbs[i]->summary);
	fputs("\n'vfio-noiommuctl COMMAND --help' describes each command. "
	      "Exit status: 0 success, 1 failed, 2 usage or invalid input, "
	      "3 not possible on this kernel, 4 refused by a safety guard, "
	      "5 partial, 6 busy. See vfio-noiommuctl(8).",
	      f);
	fclose(f);
	return buf;
}

/* Output options may come before the command: "--json list". */
static const struct argp_child main_children[] = {
	{ &vn_argp_any_output, 0,
	  "Output (the command refuses those it does "
	  "not honour):",
	  0 },
	{ &vn_argp_common, 0, NULL, 0 },
	{ 0 },
};

static const struct argp main_argp = {
	.parser = parse_main,
	.args_doc = "COMMAND [ARGS...]",
	.doc = "Prepare and inspect VFIO no-IOMMU device assignment."
	       "\v",
	.children = main_children,
	.help_filter = help_filter,
};

/* "help" is --help; "help COMMAND" is "COMMAND --help". */
static int run_help(int argc, char **argv)
{
	const struct vn_verb *verb;
	char *args[] = { NULL, (char *)"--help", NULL };

	if (argc == 1 ||
	    (argc == 2 && (streq(argv[1], "--help") || streq(argv[1], "-h") ||
			   streq(argv[1], "-?")))) {
		argp_help(&main_argp, stdout, ARGP_HELP_STD_HELP,
			  (char *)PACKAGE_NAME);
		return VN_EXIT_OK;
	}
	verb = argc == 2 ? find_verb(argv[1]) : NULL;
	if (!verb || verb == &verb_help) {
		vn_err(argc == 2 ? "help: unknown command '%s'" :
				   "help: one command name at most ('%s' given "
				   "too)",
		       argv[argc == 2 ? 1 : 2]);
		vn_hint("'vfio-noiommuctl help' lists the commands");
		return VN_EXIT_USAGE;
	}
	args[0] = argv[1];
	return verb->run(2, args);
}

int main(int argc, char **argv)
{
	struct main_state ms = { 0 };
	const struct vn_verb *verb;
	int idx, ret;

	/* Only the character type: tables measure text as the terminal
	 * shows it; numbers and messages stay in the C locale. */
	setlocale(LC_CTYPE, "");
	/* Arguments echoed in messages are escaped, argp's included. */
	vn_cli_escape_stderr();
	/* glibc argp exits 64 on usage errors unless told otherwise. */
	argp_err_exit_status = VN_EXIT_USAGE;
	argp_parse(&main_argp, argc, argv, ARGP_IN_ORDER, &idx, &ms);

	verb = find_verb(argv[ms.verb_index]);
	if (!verb) {
		fprintf(stderr,
			"%s: unknown command '%s'\n"
			"Try '%s --help' for the list of commands.\n",
			PACKAGE_NAME, argv[ms.verb_index], PACKAGE_NAME);
		return VN_EXIT_USAGE;
	}
	ret = verb->run(argc - ms.verb_index, argv + ms.verb_index);
	/* A full disk or a closed pipe must not pass for success, except
	 * once a write phase began (see vn_cli_tolerate_stdout). */
	if (fflush(stdout) != 0 && !opts.stdout_tolerant && ret == VN_EXIT_OK)
		ret = VN_EXIT_FAILED;
	return ret;
}
