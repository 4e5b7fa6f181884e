package io.fedistill.cli;

import io.fedistill.cli.config.ConfigException;

/**
 * A {@code host:port} given on the command line.
 *
 * @param host the host name or address
 * @param port the port, 0 to 65535
 */
record Address(String host, int port) {

    /**
     * Parses {@code host:port}.
     *
     * @throws ConfigException naming the option when the text is not one
     */
    static Address parse(String option, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new ConfigException(option + " must be HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new Address(host, port);
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    option
                            + " must end in a port 0-65535, got '"
                            + text.substring(colon + 1)
                            + "'");
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
