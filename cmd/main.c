#include "agentlog.h"
#include "cli.h"

int main(int argc, char **argv)
{
	agentlog_start();
	return cli_run(argc, argv);
}
