# bash completion for proclife(8): commands, each command's options, and their values
# (event names after --events, signal names after --signal, --sort and --format values,
# files and users). Needs nothing but bash itself (not the bash-completion package).
# The lists (commands, events, signals, each command's options and what their values
# are) come from the option table: `make docs` writes them below, and
# tests/unit/cmd/test_optdoc.c fails when they differ from it. tests/e2e/test_docs.py
# drives the completion.

# BEGIN GENERATED completion (make docs: from user/cmd/optable.c, edit it there)
_proclife_commands="watch tree zombies top signals run record life export verify features"
_proclife_events="fork exec exec_failed exit reap signal deliver rename cred stop continue zombie reparent resync container all none"
# What `proclife signals -s` takes (also with SIG in front, or as numbers).
_proclife_signals="HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS"

# The options of command $1, short and long.
_proclife_options()
{
	case $1 in
	watch)
		echo "-e --events -p --pid -c --comm -u --uid --auid --session --tty --setid --container --pod" \
			"--cgroup --host --containers --failed --threads -j --json -o --output --append" \
			"--arg-bytes --redact --redact-defaults --zombie-after --max-memory -w --write --force" \
			"--rotate-size --rotate-count --rotate-existing --seal-key -r --read --since --until" \
			"--metrics-file --metrics-interval -h --help -V --version" ;;
	tree)
		echo "--container --pod --cgroup --host --containers --by-container -j --json -e --every -n" \
			"--count -w --wide --redact --redact-defaults --max-memory -r --read --at --since --until" \
			"--metrics-file --metrics-interval -h --help" ;;
	zombies)
		echo "--container --pod --cgroup --host --containers --by-container -j --json -e --every -n" \
			"--count -w --wide --redact --redact-defaults --max-memory -r --read --at --since --until" \
			"--metrics-file --metrics-interval -h --help" ;;
	top)
		echo "--container --pod --cgroup --host --containers -d --delay --arg-bytes --redact" \
			"--redact-defaults --max-memory -w --write --force --rotate-size --rotate-count" \
			"--rotate-existing --seal-key -h --help" ;;
	signals)
		echo "-s --signal -p --pid --auid --session --tty --container --pod --cgroup --host" \
			"--containers --failed --sort -j --json -e --every -r --read --since --until -h --help" ;;
	run)
		echo "-j --json -o --output -q --quiet --summary-json --user --follow-leftovers --arg-bytes" \
			"--redact --redact-defaults --max-memory -w --write --force --rotate-size --rotate-count" \
			"--rotate-existing --seal-key -r --read --since --until -h --help" ;;
	record)
		echo "-w --write --threads -d --duration --arg-bytes --redact --redact-defaults --max-memory" \
			"--force --rotate-size --rotate-count --rotate-existing --seal-key --metrics-file" \
			"--metrics-interval -h --help" ;;
	life)
		echo "-j --json --redact --redact-defaults --max-memory -r --read --since --until -h --help" ;;
	export)
		echo "-f --format -p --pid -o --output --redact --redact-defaults --max-memory --kthreads -r" \
			"--read --since --until -h --help" ;;
	verify)
		echo "-j --json --seal-key -h --help" ;;
	features)
		echo "-j --json -v --verbose -h --help" ;;
	esac
}

# What the value of option $2 of command $1 is: events, signals, 'words W...' (one of
# them), file, user, other (a number, a time, a name: nothing to offer), or nothing
# when $2 takes no value.
_proclife_value_kind()
{
	case $1:$2 in
	watch:-e | watch:--events) echo "events" ;;
	watch:-p | watch:--pid) echo "other" ;;
	watch:-c | watch:--comm) echo "other" ;;
	watch:-u | watch:--uid) echo "user" ;;
	watch:--auid) echo "user" ;;
	watch:--session) echo "other" ;;
	watch:--tty) echo "other" ;;
	watch:--container) echo "other" ;;
	watch:--pod) echo "other" ;;
	watch:--cgroup) echo "other" ;;
	watch:-o | watch:--output) echo "file" ;;
	watch:--arg-bytes) echo "other" ;;
	watch:--redact) echo "other" ;;
	watch:--zombie-after) echo "other" ;;
	watch:--max-memory) echo "other" ;;
	watch:-w | watch:--write) echo "file" ;;
	watch:--rotate-size) echo "other" ;;
	watch:--rotate-count) echo "other" ;;
	watch:--seal-key) echo "file" ;;
	watch:-r | watch:--read) echo "file" ;;
	watch:--since) echo "other" ;;
	watch:--until) echo "other" ;;
	watch:--metrics-file) echo "file" ;;
	watch:--metrics-interval) echo "other" ;;
	tree:--container) echo "other" ;;
	tree:--pod) echo "other" ;;
	tree:--cgroup) echo "other" ;;
	tree:-e | tree:--every) echo "other" ;;
	tree:-n | tree:--count) echo "other" ;;
	tree:--redact) echo "other" ;;
	tree:--max-memory) echo "other" ;;
	tree:-r | tree:--read) echo "file" ;;
	tree:--at) echo "other" ;;
	tree:--since) echo "other" ;;
	tree:--until) echo "other" ;;
	tree:--metrics-file) echo "file" ;;
	tree:--metrics-interval) echo "other" ;;
	zombies:--container) echo "other" ;;
	zombies:--pod) echo "other" ;;
	zombies:--cgroup) echo "other" ;;
	zombies:-e | zombies:--every) echo "other" ;;
	zombies:-n | zombies:--count) echo "other" ;;
	zombies:--redact) echo "other" ;;
	zombies:--max-memory) echo "other" ;;
	zombies:-r | zombies:--read) echo "file" ;;
	zombies:--at) echo "other" ;;
	zombies:--since) echo "other" ;;
	zombies:--until) echo "other" ;;
	zombies:--metrics-file) echo "file" ;;
	zombies:--metrics-interval) echo "other" ;;
	top:--container) echo "other" ;;
	top:--pod) echo "other" ;;
	top:--cgroup) echo "other" ;;
	top:-d | top:--delay) echo "other" ;;
	top:--arg-bytes) echo "other" ;;
	top:--redact) echo "other" ;;
	top:--max-memory) echo "other" ;;
	top:-w | top:--write) echo "file" ;;
	top:--rotate-size) echo "other" ;;
	top:--rotate-count) echo "other" ;;
	top:--seal-key) echo "file" ;;
	signals:-s | signals:--signal) echo "signals" ;;
	signals:-p | signals:--pid) echo "other" ;;
	signals:--auid) echo "user" ;;
	signals:--session) echo "other" ;;
	signals:--tty) echo "other" ;;
	signals:--container) echo "other" ;;
	signals:--pod) echo "other" ;;
	signals:--cgroup) echo "other" ;;
	signals:--sort) echo "words count time signal sender target" ;;
	signals:-e | signals:--every) echo "other" ;;
	signals:-r | signals:--read) echo "file" ;;
	signals:--since) echo "other" ;;
	signals:--until) echo "other" ;;
	run:-o | run:--output) echo "file" ;;
	run:--summary-json) echo "file" ;;
	run:--user) echo "user" ;;
	run:--follow-leftovers) echo "other" ;;
	run:--arg-bytes) echo "other" ;;
	run:--redact) echo "other" ;;
	run:--max-memory) echo "other" ;;
	run:-w | run:--write) echo "file" ;;
	run:--rotate-size) echo "other" ;;
	run:--rotate-count) echo "other" ;;
	run:--seal-key) echo "file" ;;
	run:-r | run:--read) echo "file" ;;
	run:--since) echo "other" ;;
	run:--until) echo "other" ;;
	record:-w | record:--write) echo "file" ;;
	record:-d | record:--duration) echo "other" ;;
	record:--arg-bytes) echo "other" ;;
	record:--redact) echo "other" ;;
	record:--max-memory) echo "other" ;;
	record:--rotate-size) echo "other" ;;
	record:--rotate-count) echo "other" ;;
	record:--seal-key) echo "file" ;;
	record:--metrics-file) echo "file" ;;
	record:--metrics-interval) echo "other" ;;
	life:--redact) echo "other" ;;
	life:--max-memory) echo "other" ;;
	life:-r | life:--read) echo "file" ;;
	life:--since) echo "other" ;;
	life:--until) echo "other" ;;
	export:-f | export:--format) echo "words perfetto dot" ;;
	export:-p | export:--pid) echo "other" ;;
	export:-o | export:--output) echo "file" ;;
	export:--redact) echo "other" ;;
	export:--max-memory) echo "other" ;;
	export:-r | export:--read) echo "file" ;;
	export:--since) echo "other" ;;
	export:--until) echo "other" ;;
	verify:--seal-key) echo "file" ;;
	esac
}
# END GENERATED completion

# Completes the last item of a comma-separated list in $1 from the words in $2,
# leaving out the items already in the list.
_proclife_list()
{
	local cur=$1 words=$2 prefix="" item w
	local -a left=()
	if [[ $cur == *,* ]]; then
		prefix=${cur%,*},
		item=${cur##*,}
	else
		item=$cur
	fi
	for w in $words; do
		[[ ,$prefix == *,$w,* ]] || left+=("$w")
	done
	mapfile -t COMPREPLY < <(compgen -W "${left[*]}" -P "$prefix" -- "$item")
}

_proclife()
{
	local cur prev cmd kind i
	local cword=$COMP_CWORD
	cur=${COMP_WORDS[cword]}
	prev=
	((cword > 0)) && prev=${COMP_WORDS[cword - 1]}
	# --opt=value: bash splits it at '=' (COMP_WORDBREAKS).
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((cword > 1)); then
		prev=${COMP_WORDS[cword - 2]}
	fi
	COMPREPLY=()

	# The command: the first argument, unless that is an option (then it is watch).
	cmd=watch
	if ((cword == 1)) && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_proclife_commands" -- "$cur")
		return 0
	fi
	if ((cword > 1)) && [[ " $_proclife_commands " == *" ${COMP_WORDS[1]} "* ]]; then
		cmd=${COMP_WORDS[1]}
	fi

	# run -- CMD ARGS: a command, then whatever it takes (files).
	if [[ $cmd == run ]]; then
		for ((i = 2; i < cword; i++)); do
			if [[ ${COMP_WORDS[i]} == -- ]]; then
				if ((i == cword - 1)); then
					mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
				else
					compopt -o filenames 2>/dev/null
					mapfile -t COMPREPLY < <(compgen -f -- "$cur")
				fi
				return 0
			fi
		done
	fi

	kind=$(_proclife_value_kind "$cmd" "$prev")
	if [[ -n $kind && " $(_proclife_options "$cmd") " == *" $prev "* ]]; then
		case $kind in
		events) _proclife_list "$cur" "$_proclife_events" ;;
		signals)
			if [[ ${cur##*,} == SIG* ]]; then
				# shellcheck disable=SC2086 # the list, split into words
				_proclife_list "$cur" "$(printf 'SIG%s ' $_proclife_signals)"
			else
				_proclife_list "$cur" "$_proclife_signals"
			fi ;;
		words\ *) mapfile -t COMPREPLY < <(compgen -W "${kind#words }" -- "$cur") ;;
		file)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
		user) mapfile -t COMPREPLY < <(compgen -u -- "$cur") ;;
		esac
		return 0
	fi

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_proclife_options "$cmd")" -- "$cur")
	elif [[ $cmd == verify ]]; then
		# verify FILE...: recordings.
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
	return 0
}

complete -F _proclife proclife
