# bash completion for proclife(8): commands, each command's options, and their values
# (event names after --events, signal names after --signal, --sort and --format values,
# files and users). Needs nothing but bash itself (not the bash-completion package).
# tests/e2e/test_completion.py drives it, and checks that it knows every long option
# that `proclife CMD --help` prints.

_proclife_commands="watch tree zombies top signals run record life export features"
_proclife_events="fork exec exec_failed exit reap signal deliver rename stop continue zombie reparent resync all"
# What `proclife signals -s` takes (also with SIG in front, or as numbers).
_proclife_signals="HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS"

# The options of command $1, short and long.
_proclife_options()
{
	local rec_write="-w --write --force --rotate-existing --rotate-size --rotate-count"
	local replay="-r --read --since --until"
	local metrics="--metrics-file --metrics-interval"
	case $1 in
	watch)
		echo "-e --events -p --pid -c --comm -u --uid --failed --threads -j --json -o --output --append" \
			"--arg-bytes --zombie-after $rec_write $replay $metrics -h --help -V --version" ;;
	tree | zombies)
		echo "-j --json -e --every -n --count -w --wide $replay --at $metrics -h --help" ;;
	top)
		echo "-d --delay $rec_write -h --help" ;;
	signals)
		echo "-s --signal -p --pid --failed --sort -e --every -j --json $replay -h --help" ;;
	run)
		echo "$rec_write $replay -o --output -q --quiet -j --json --summary-json --user" \
			"--follow-leftovers --arg-bytes -h --help" ;;
	record)
		echo "$rec_write --threads --arg-bytes -d --duration $metrics -h --help" ;;
	life)
		echo "$replay --json -h --help" ;;
	export)
		echo "-f --format $replay -o --output -p --pid --kthreads -h --help" ;;
	features)
		echo "--json -v --verbose -h --help" ;;
	esac
}

# What the value of option $2 of command $1 is: events, signals, sort, format, file, user,
# other (a number, a time, a name: nothing to offer), or nothing when $2 takes no value.
_proclife_value_kind()
{
	case $1:$2 in
	watch:-e | watch:--events) echo events ;;
	signals:-s | signals:--signal) echo signals ;;
	signals:--sort) echo sort ;;
	export:-f | export:--format) echo format ;;
	*:-r | *:--read | *:--write | *:--output | *:--metrics-file | *:--summary-json) echo file ;;
	tree:-w | zombies:-w) ;; # --wide
	*:-w | *:-o) echo file ;;
	watch:-u | watch:--uid | run:--user) echo user ;;
	*:-p | *:--pid | *:-c | *:--comm | *:--rotate-size | *:--rotate-count | *:--arg-bytes | \
		*:--zombie-after | *:--since | *:--until | *:--at | *:--metrics-interval | \
		*:-e | *:--every | *:-n | *:--count | *:-d | *:--delay | *:--duration | \
		*:--follow-leftovers) echo other ;;
	esac
}

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
		sort) mapfile -t COMPREPLY < <(compgen -W "count time signal sender target" -- "$cur") ;;
		format) mapfile -t COMPREPLY < <(compgen -W "perfetto dot" -- "$cur") ;;
		file)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
		user) mapfile -t COMPREPLY < <(compgen -u -- "$cur") ;;
		esac
		return 0
	fi

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_proclife_options "$cmd")" -- "$cur")
	fi
	return 0
}

complete -F _proclife proclife
