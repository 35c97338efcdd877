"""The log of a training run: each line timestamped, printed and appended to OUT/log.txt as it happens."""
import os
import time


def run_log(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    log_file = open(os.path.join(out_dir, "log.txt"), "a")

    def log(msg):
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    return log
